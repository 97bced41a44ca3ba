package dev.reliant.idempotency.web;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Holds the handler's whole response until the filter has stored it. {@code sendError} is held back too: it would
 * commit the response (and let the container render an error page) before the outcome is recorded.
 */
final class BufferedResponse extends ContentCachingResponseWrapper {

    private boolean errorSent;

    private String errorMessage;

    BufferedResponse(HttpServletResponse response) {
        super(response);
    }

    @Override
    public void sendError(int status) {
        sendError(status, null);
    }

    @Override
    public void sendError(int status, String message) {
        resetBuffer();
        setStatus(status);
        this.errorSent = true;
        this.errorMessage = message;
    }

    boolean errorSent() {
        return errorSent;
    }

    String errorMessage() {
        return errorMessage;
    }
}
