package dev.reliant.idempotency.web;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.http.HttpHeaders;
import org.springframework.util.FastByteArrayOutputStream;

/**
 * Holds the handler's response back until the filter has stored it, as long as its body is no larger than the
 * largest response that is stored. {@code sendError} is held back too: it would commit the response (and let the
 * container render an error page) before the outcome is recorded. Status and headers are set on the real response
 * as the handler sets them, since nothing of them reaches the client before the first body byte; only
 * {@code Content-Length} is held, because it would let the container commit the response early.
 * <p>
 * A body larger than the limit is never stored (its key keeps a tombstone and retries get 410), so holding it would
 * buy nothing and cost memory: a handler writing a large export would keep it whole in the heap, once per concurrent
 * request. Once the body exceeds the limit, the wrapper therefore lets go: the bytes held so far are written to the
 * real response, which sends its status and headers with them, and everything else streams straight through. Memory
 * stays bounded by the limit. The price is that such a response is not held back any more: the client starts
 * receiving it while the handler still runs, before the request's transaction commits and before its outcome is
 * recorded. If the commit then fails, or the handler fails after the limit was crossed, the client has (part of) an
 * answer that did not take effect, and it can no longer be replaced by a problem; the key's record still follows
 * what the handler did.
 */
final class BufferedResponse extends HttpServletResponseWrapper {

    private final long limit;

    private final FastByteArrayOutputStream held = new FastByteArrayOutputStream(1024);

    private final OutputStream body = new BodyStream();

    private ServletOutputStream outputStream;

    private ResponseWriter writer;

    /** Declared body length, held until the body is sent. */
    private Long contentLength;

    private long contentSize;

    private boolean streaming;

    private boolean errorSent;

    private String errorMessage;

    /**
     * @param limit the largest body that is held back; a larger one streams through
     */
    BufferedResponse(HttpServletResponse response, long limit) {
        super(response);
        this.limit = limit;
    }

    /** Whether the body outgrew the limit and went to the client instead of being held. */
    boolean streamed() {
        encodePending();
        return streaming;
    }

    /** Bytes of the body the handler wrote since the response was last reset, whether held or streamed. */
    long getContentSize() {
        encodePending();
        return contentSize;
    }

    /** Bytes of the body held in memory: never more than the limit, none once the body streamed. */
    int heldSize() {
        encodePending();
        return held.size();
    }

    /** The held body; there is none to give once the body streamed. */
    byte[] getContentAsByteArray() {
        encodePending();
        if (streaming) {
            throw new IllegalStateException("The body outgrew " + limit + " bytes and was sent as it was written");
        }
        return held.toByteArray();
    }

    /** Sends the held body, with its length, to the real response. */
    void copyBodyToResponse() throws IOException {
        encodePending();
        if (streaming || held.size() == 0) {
            return;
        }
        HttpServletResponse response = response();
        if (!response.isCommitted() && response.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
            response.setContentLength(held.size());
        }
        held.writeTo(response.getOutputStream());
        held.reset();
        response.flushBuffer();
    }

    boolean errorSent() {
        return errorSent;
    }

    String errorMessage() {
        return errorMessage;
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (outputStream == null) {
            outputStream = new ResponseOutputStream();
        }
        return outputStream;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            String encoding = getCharacterEncoding();
            Charset charset = (encoding != null) ? Charset.forName(encoding) : StandardCharsets.ISO_8859_1;
            writer = new ResponseWriter(new OutputStreamWriter(body, charset));
        }
        return writer;
    }

    /** Commits nothing while the body is held, since the outcome is not recorded yet. */
    @Override
    public void flushBuffer() throws IOException {
        encodePending();
        if (streaming) {
            super.flushBuffer();
        }
    }

    @Override
    public void resetBuffer() {
        if (streaming) {
            super.resetBuffer();
        }
        held.reset();
        contentSize = 0;
    }

    @Override
    public void reset() {
        super.reset();
        held.reset();
        contentSize = 0;
        contentLength = null;
        errorSent = false;
        errorMessage = null;
    }

    @Override
    public void sendError(int status) throws IOException {
        sendError(status, null);
    }

    @Override
    public void sendError(int status, String message) throws IOException {
        if (streaming) {
            super.sendError(status, message);
            return;
        }
        resetBuffer();
        setStatus(status);
        this.errorSent = true;
        this.errorMessage = message;
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        sendRedirect(location, SC_FOUND, true);
    }

    @Override
    public void sendRedirect(String location, int status) throws IOException {
        sendRedirect(location, status, true);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        sendRedirect(location, SC_FOUND, clearBuffer);
    }

    /** A redirect commits the real response, as it always did; what the handler wrote before goes with it. */
    @Override
    public void sendRedirect(String location, int status, boolean clearBuffer) throws IOException {
        if (!streaming) {
            if (!clearBuffer) {
                held.writeTo(response().getOutputStream());
            }
            held.reset();
        }
        super.sendRedirect(location, status, clearBuffer);
    }

    @Override
    public void setContentLength(int length) {
        setContentLengthLong(length);
    }

    @Override
    public void setContentLengthLong(long length) {
        if (streaming) {
            super.setContentLengthLong(length);
        }
        else {
            contentLength = length;
        }
    }

    @Override
    public void setHeader(String name, String value) {
        if (isContentLength(name)) {
            setContentLengthLong(Long.parseLong(value));
        }
        else {
            super.setHeader(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (isContentLength(name)) {
            setContentLengthLong(Long.parseLong(value));
        }
        else {
            super.addHeader(name, value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        if (isContentLength(name)) {
            setContentLengthLong(value);
        }
        else {
            super.setIntHeader(name, value);
        }
    }

    @Override
    public void addIntHeader(String name, int value) {
        if (isContentLength(name)) {
            setContentLengthLong(value);
        }
        else {
            super.addIntHeader(name, value);
        }
    }

    @Override
    public boolean containsHeader(String name) {
        return (isContentLength(name) && heldContentLength() != null) || super.containsHeader(name);
    }

    @Override
    public String getHeader(String name) {
        return (isContentLength(name) && heldContentLength() != null) ? heldContentLength().toString()
                : super.getHeader(name);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        return (isContentLength(name) && heldContentLength() != null) ? List.of(heldContentLength().toString())
                : super.getHeaders(name);
    }

    @Override
    public Collection<String> getHeaderNames() {
        if (heldContentLength() == null) {
            return super.getHeaderNames();
        }
        Set<String> names = new LinkedHashSet<>(super.getHeaderNames());
        names.add(HttpHeaders.CONTENT_LENGTH);
        return names;
    }

    private Long heldContentLength() {
        return streaming ? null : contentLength;
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        if (errorSent) {
            // As on a real response: after sendError, the body is the container's, not the handler's.
            return;
        }
        if (!streaming && held.size() + (long) length > limit) {
            stream();
        }
        if (streaming) {
            response().getOutputStream().write(bytes, offset, length);
        }
        else {
            held.write(bytes, offset, length);
        }
        contentSize += length;
    }

    /** Lets go of the response: it will not be stored, so the held part and all that follows go to the client. */
    private void stream() throws IOException {
        streaming = true;
        HttpServletResponse response = response();
        if (contentLength != null) {
            response.setContentLengthLong(contentLength);
        }
        held.writeTo(response.getOutputStream());
        held.reset();
    }

    /** Moves what the writer still holds (a {@code println}'s line end) into the body. */
    private void encodePending() {
        if (writer != null) {
            writer.encode();
        }
    }

    private void flushStreamed() throws IOException {
        if (streaming) {
            response().getOutputStream().flush();
        }
    }

    private HttpServletResponse response() {
        return (HttpServletResponse) getResponse();
    }

    private static boolean isContentLength(String name) {
        return HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name);
    }

    /** Where the writer's encoded bytes go; flushing it after every write sends nothing to the client. */
    private final class BodyStream extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            BufferedResponse.this.write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            BufferedResponse.this.write(bytes, offset, length);
        }
    }

    private final class ResponseOutputStream extends ServletOutputStream {

        @Override
        public void write(int b) throws IOException {
            body.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            body.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            flushStreamed();
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new UnsupportedOperationException("Idempotent responses are written blocking");
        }
    }

    /** Encodes each write at once, so that the body's size (and the switch to streaming) is always current. */
    private final class ResponseWriter extends PrintWriter {

        ResponseWriter(OutputStreamWriter out) {
            super(out);
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            super.write(chars, offset, length);
            encode();
        }

        @Override
        public void write(String text, int offset, int length) {
            super.write(text, offset, length);
            encode();
        }

        @Override
        public void write(int c) {
            super.write(c);
            encode();
        }

        /** Encodes what is pending into the body, without flushing anything to the client. */
        void encode() {
            super.flush();
        }

        @Override
        public void flush() {
            encode();
            try {
                flushStreamed();
            }
            catch (IOException ex) {
                setError();
            }
        }
    }
}
