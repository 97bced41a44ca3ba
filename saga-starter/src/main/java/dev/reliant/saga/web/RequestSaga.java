package dev.reliant.saga.web;

import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.Saga;
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
        }
        return execution;
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
