package dev.reliant.saga.web;

import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.Saga;
import dev.reliant.saga.SagaState;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.core.SagaExecution;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.servlet.HandlerMapping;

/**
 * The saga of one web request, started on its first step (most requests take none) and named after the
 * handler's route pattern, which is known by then.
 */
final class RequestSaga implements Saga {

    private final SagaEngine engine;

    private final HttpServletRequest request;

    private SagaExecution execution;

    private Throwable handlerFailure;

    RequestSaga(SagaEngine engine, HttpServletRequest request) {
        this.engine = engine;
        this.request = request;
    }

    /** The running saga, or {@code null} when the request took no step. */
    synchronized SagaExecution execution() {
        return execution;
    }

    private synchronized SagaExecution started() {
        if (execution == null) {
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            execution = engine.start(request.getMethod() + " " + ((pattern != null) ? pattern : "unmapped"), null);
            execution.whenCompensated(state -> request.setAttribute(SagaRequestFilter.STATE_ATTRIBUTE,
                    (state != null) ? state.name() : SagaState.COMPENSATING.name()));
        }
        return execution;
    }

    /** Notes an exception raised while the request's saga ran: the saga fails whatever status it is answered with. */
    synchronized void failed(Throwable failure) {
        if (execution != null && handlerFailure == null) {
            handlerFailure = failure;
        }
    }

    /** The exception raised while the saga ran, or {@code null}. */
    synchronized Throwable handlerFailure() {
        return handlerFailure;
    }

    @Override
    public String id() {
        return started().id();
    }

    @Override
    public <T> T step(String name, Supplier<T> action, Consumer<? super T> compensation) {
        return started().step(name, action, compensation);
    }

    @Override
    public void step(String name, Runnable action, Runnable compensation) {
        started().step(name, action, compensation);
    }

    @Override
    public <T> T step(String name, Supplier<T> action, DurableCompensation compensation) {
        return started().step(name, action, compensation);
    }

    @Override
    public void step(String name, Runnable action, DurableCompensation compensation) {
        started().step(name, action, compensation);
    }

}
