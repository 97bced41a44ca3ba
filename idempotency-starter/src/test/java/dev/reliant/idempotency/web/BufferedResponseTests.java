package dev.reliant.idempotency.web;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** What the wrapper holds back, and that it never holds more than the limit. */
class BufferedResponseTests {

    private static final int LIMIT = 1024;

    private final MockHttpServletResponse real = new MockHttpServletResponse();

    private final BufferedResponse buffered = new BufferedResponse(real, LIMIT);

    @Test
    void bodyUpToTheLimitIsHeldUntilCopied() throws IOException {
        byte[] body = pattern(LIMIT);
        buffered.setContentLengthLong(LIMIT);
        ServletOutputStream out = buffered.getOutputStream();
        for (int offset = 0; offset < body.length; offset += 100) {
            out.write(body, offset, Math.min(100, body.length - offset));
        }
        out.flush();
        buffered.flushBuffer();

        assertThat(buffered.streamed()).isFalse();
        assertThat(buffered.heldSize()).isEqualTo(LIMIT);
        assertThat(buffered.getContentAsByteArray()).isEqualTo(body);
        assertThat(buffered.getHeader("Content-Length")).isEqualTo(Integer.toString(LIMIT));
        assertThat(real.getContentAsByteArray()).isEmpty();
        assertThat(real.getHeader("Content-Length")).isNull();
        assertThat(real.isCommitted()).isFalse();

        buffered.copyBodyToResponse();
        assertThat(real.getContentAsByteArray()).isEqualTo(body);
        assertThat(real.getContentLength()).isEqualTo(LIMIT);
    }

    @Test
    void bodyBeyondTheLimitStreamsThroughHoldingNoMoreThanTheLimit() throws IOException {
        byte[] body = pattern(LIMIT * 20 + 37);
        buffered.setStatus(201);
        buffered.setHeader("X-Export", "yes");
        buffered.addHeader("Content-Length", Integer.toString(body.length));
        ServletOutputStream out = buffered.getOutputStream();
        for (int offset = 0; offset < body.length; offset += 300) {
            out.write(body, offset, Math.min(300, body.length - offset));
            assertThat(buffered.heldSize()).isLessThanOrEqualTo(LIMIT);
        }

        assertThat(buffered.streamed()).isTrue();
        assertThat(buffered.heldSize()).isZero();
        assertThat(buffered.getContentSize()).isEqualTo(body.length);
        assertThat(real.getContentAsByteArray()).isEqualTo(body);
        assertThat(real.getStatus()).isEqualTo(201);
        assertThat(real.getHeader("X-Export")).isEqualTo("yes");
        assertThat(real.getContentLengthLong()).isEqualTo(body.length);
        assertThat(real.isCommitted()).isTrue();
        assertThatIllegalStateException().isThrownBy(buffered::getContentAsByteArray);

        buffered.copyBodyToResponse();
        assertThat(real.getContentAsByteArray()).as("nothing is sent twice").hasSize(body.length);
    }

    @Test
    void writerCrossesTheLimitLikeTheStream() {
        buffered.setCharacterEncoding("UTF-8");
        PrintWriter writer = buffered.getWriter();
        StringBuilder text = new StringBuilder();
        for (int line = 0; text.length() < LIMIT * 5; line++) {
            String next = "line " + line + " \u00e9\u20ac";
            writer.println(next);
            text.append(next).append(System.lineSeparator());
            assertThat(buffered.heldSize()).isLessThanOrEqualTo(LIMIT);
        }
        writer.flush();

        byte[] expected = text.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(buffered.streamed()).isTrue();
        assertThat(real.getContentAsByteArray()).isEqualTo(expected);
        assertThat(buffered.getContentSize()).isEqualTo(expected.length);
    }

    @Test
    void writerBodyWithinTheLimitIsHeldWholeWithItsLastLineEnd() {
        buffered.setCharacterEncoding("UTF-8");
        buffered.getWriter().print("caf\u00e9");
        buffered.getWriter().println();

        assertThat(buffered.getContentAsByteArray())
            .isEqualTo(("caf\u00e9" + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        assertThat(real.getContentAsByteArray()).isEmpty();
    }

    @Test
    void sendErrorIsHeldBackAndLaterWritesAreDropped() throws IOException {
        buffered.getOutputStream().write(pattern(100));
        buffered.sendError(404, "no such order");
        buffered.getOutputStream().write(pattern(LIMIT * 3));

        assertThat(buffered.errorSent()).isTrue();
        assertThat(buffered.errorMessage()).isEqualTo("no such order");
        assertThat(buffered.getStatus()).isEqualTo(404);
        assertThat(buffered.streamed()).isFalse();
        assertThat(buffered.heldSize()).isZero();
        assertThat(real.isCommitted()).isFalse();
        assertThat(real.getErrorMessage()).isNull();
    }

    @Test
    void resetBeforeTheLimitForgetsWhatWasHeld() throws IOException {
        buffered.setContentLength(900);
        buffered.getOutputStream().write(pattern(900));
        buffered.resetBuffer();
        assertThat(buffered.heldSize()).isZero();
        assertThat(buffered.getContentSize()).isZero();

        buffered.getOutputStream().write(pattern(900));
        buffered.sendError(400);
        buffered.reset();
        assertThat(buffered.errorSent()).isFalse();
        assertThat(buffered.getHeader("Content-Length")).isNull();
        buffered.getOutputStream().write(pattern(LIMIT));
        assertThat(buffered.streamed()).as("only what follows the reset counts").isFalse();
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + i / 251);
        }
        return bytes;
    }
}
