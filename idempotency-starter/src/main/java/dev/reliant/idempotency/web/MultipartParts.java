package dev.reliant.idempotency.web;

import java.io.IOException;
import java.util.Collection;
import java.util.Locale;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;

import org.springframework.http.MediaType;

/**
 * Reads the parts of a {@code multipart/form-data} request for its fingerprint. The parts are taken from the
 * container, which parses the body once and keeps the parts for the handler: reading the raw body instead would
 * leave the container nothing to parse.
 */
final class MultipartParts {

    private static final Unparsed UNPARSED = new Unparsed();

    private MultipartParts() {
    }

    /**
     * Parses the request's parts (or takes those the container parsed already) and encodes them for the
     * fingerprint, unless they add up to more than {@code maxBytes} or cannot be parsed. Anything but
     * {@code multipart/form-data}, and multipart the container is not configured to parse (an application that
     * parses it itself), is left {@link Unparsed}, to be read as a raw body.
     */
    static Result read(HttpServletRequest request, long maxBytes) throws IOException {
        if (!isMultipart(request)) {
            return UNPARSED;
        }
        Collection<Part> parts;
        try {
            parts = request.getParts();
        }
        catch (IOException | ServletException | IllegalStateException ex) {
            if (exceedsLimit(ex)) {
                return new OverLimit(true);
            }
            return notConfigured(ex) ? UNPARSED : new Malformed(ex);
        }
        long size = 0;
        for (Part part : parts) {
            size += part.getSize();
        }
        if (size > maxBytes) {
            return new OverLimit(false);
        }
        return new Parts(RequestFingerprinter.canonicalParts(parts));
    }

    private static boolean isMultipart(HttpServletRequest request) {
        String contentType = request.getContentType();
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.MULTIPART_FORM_DATA.includes(MediaType.parseMediaType(contentType));
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    /**
     * Whether the container refused the body for one of its own size limits. Containers report this in their own
     * exception types, wrapped in an {@code IllegalStateException} or {@code IOException}, so the messages of the
     * cause chain are what they have in common (Spring's multipart support tells the cases apart the same way).
     */
    private static boolean exceedsLimit(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            String message = lowerCaseMessage(cause);
            if ((message.contains("exceed") && (message.contains("size") || message.contains("length")))
                    || (message.contains("request") && (message.contains("big") || message.contains("large")))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the target servlet has no multipart configuration; Tomcat, Jetty and Undertow then refuse with an
     * {@code IllegalStateException} saying so, before reading any of the body.
     */
    private static boolean notConfigured(Exception ex) {
        return ex instanceof IllegalStateException && ex.getCause() == null
                && lowerCaseMessage(ex).contains("config");
    }

    private static String lowerCaseMessage(Throwable ex) {
        return (ex.getMessage() != null) ? ex.getMessage().toLowerCase(Locale.ROOT) : "";
    }

    /** What reading the parts came to. */
    sealed interface Result permits Parts, OverLimit, Malformed, Unparsed {
    }

    /**
     * The parts, in their canonical encoding.
     *
     * @param canonical see {@link RequestFingerprinter#canonicalParts}
     */
    record Parts(byte[] canonical) implements Result {
    }

    /**
     * The body is larger than allowed.
     *
     * @param container whether the container's own multipart limits refused it, rather than the idempotency limit
     */
    record OverLimit(boolean container) implements Result {
    }

    /**
     * The body is not valid multipart.
     *
     * @param cause what the container threw
     */
    record Malformed(Exception cause) implements Result {
    }

    /** Not parsed as parts: the body is to be read raw. */
    record Unparsed() implements Result {
    }
}
