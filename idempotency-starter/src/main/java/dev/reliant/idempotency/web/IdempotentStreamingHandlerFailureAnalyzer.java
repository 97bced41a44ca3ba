package dev.reliant.idempotency.web;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start refused because streaming or asynchronous handlers were made idempotent. */
class IdempotentStreamingHandlerFailureAnalyzer extends AbstractFailureAnalyzer<IdempotentStreamingHandlerException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, IdempotentStreamingHandlerException cause) {
        String description = "These handlers are idempotent, through @Idempotent or a reliant.idempotency.rules path"
                + " rule, but they stream or answer asynchronously (SseEmitter, StreamingResponseBody, DeferredResult,"
                + " Callable, CompletionStage or a reactive type), so their response is not complete when it must be"
                + " stored:\n\t- " + String.join("\n\t- ", cause.getHandlers());
        String action = "Return the complete response from these handlers, or make them not idempotent: remove"
                + " @Idempotent from them, or narrow the reliant.idempotency.rules that match them.";
        return new FailureAnalysis(description, action, cause);
    }
}
