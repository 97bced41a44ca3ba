package dev.reliant.idempotency.web;

import java.util.List;

/**
 * Thrown at startup when handlers that stream or answer asynchronously are idempotent, through
 * {@code @Idempotent} or a {@code reliant.idempotency.rules} path rule: their response is not complete when it must
 * be stored. Names the handlers, so that the failure analysis can list them.
 */
public class IdempotentStreamingHandlerException extends IllegalStateException {

    private final List<String> handlers;

    public IdempotentStreamingHandlerException(List<String> handlers) {
        super("Idempotency cannot protect handlers that stream or answer asynchronously, because their response is"
                + " not complete when it must be stored: " + handlers + ". Return the complete response instead, or"
                + " remove @Idempotent (or narrow the reliant.idempotency.rules that match them).");
        this.handlers = List.copyOf(handlers);
    }

    /** The offending handler methods, as Spring MVC names them in its logs. */
    public List<String> getHandlers() {
        return handlers;
    }
}
