package dev.reliant.idempotency.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotentStreamingHandlerFailureAnalyzerTests {

    @Test
    void listsTheHandlersAndHowToFixThem() {
        FailureAnalysis analysis = new IdempotentStreamingHandlerFailureAnalyzer()
            .analyze(new IdempotentStreamingHandlerException(List.of("Feeds#events()", "Files#download()")));
        assertThat(analysis.getDescription()).isEqualTo("These handlers are idempotent, through @Idempotent or a"
                + " reliant.idempotency.rules path rule, but they stream or answer asynchronously (SseEmitter,"
                + " StreamingResponseBody, DeferredResult, Callable, CompletionStage or a reactive type), so their"
                + " response is not complete when it must be stored:\n\t- Feeds#events()\n\t- Files#download()");
        assertThat(analysis.getAction()).isEqualTo("Return the complete response from these handlers, or make them"
                + " not idempotent: remove @Idempotent from them, or narrow the reliant.idempotency.rules that match"
                + " them.");
    }

    @Test
    void leavesOtherFailuresAlone() {
        assertThat(new IdempotentStreamingHandlerFailureAnalyzer().analyze(new IllegalStateException("other")))
            .isNull();
    }
}
