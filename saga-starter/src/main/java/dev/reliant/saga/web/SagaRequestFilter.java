package dev.reliant.saga.web;

import java.io.IOException;

import dev.reliant.saga.Saga;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.core.SagaExecution;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import org.springframework.web.util.WebUtils;

/**
 * Gives each request its {@link Saga} and ends it when the handler is done: compensated when an exception
 * escapes or the status is a failure status, completed otherwise.
 * <p>
 * The response body is held back until the saga has ended, so the client never sees a response before the
 * compensations ran; and since the filter runs outside the dispatcher, any transaction the handler opened has
 * already rolled back by then. A handler's exception is rethrown afterwards, so the request still ends with an
 * error status; a saga that cannot be closed fails the request as well.
 */
public class SagaRequestFilter extends OncePerRequestFilter {

    private static final String ATTRIBUTE = SagaRequestFilter.class.getName() + ".saga";

    private final SagaEngine engine;

    private final FailureStatuses failureStatuses;

    public SagaRequestFilter(SagaEngine engine, FailureStatuses failureStatuses) {
        this.engine = engine;
        this.failureStatuses = failureStatuses;
    }

    /** The saga of the request being served; fails outside a request this filter handles. */
    public static Saga current(HttpServletRequest request) {
        Object saga = request.getAttribute(ATTRIBUTE);
        if (saga == null) {
            throw new IllegalStateException("No saga for this request: the saga request filter is not registered "
                    + "for it (reliant.saga.web.enabled=false or filtered out)");
        }
        return (Saga) saga;
    }

    /** Asynchronous requests end their saga on the last dispatch, when the response is known. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        RequestSaga saga = (RequestSaga) request.getAttribute(ATTRIBUTE);
        if (saga == null) {
            saga = new RequestSaga(engine, request);
            request.setAttribute(ATTRIBUTE, saga);
        }
        BufferedResponse buffered = WebUtils.getNativeResponse(response, BufferedResponse.class);
        if (buffered == null) {
            buffered = new BufferedResponse(response);
        }
        try {
            chain.doFilter(request, buffered);
        }
        catch (IOException | ServletException | RuntimeException | Error ex) {
            request.removeAttribute(ATTRIBUTE);
            compensate(saga, ex);
            throw ex;
        }
        if (isAsyncStarted(request)) {
            return;
        }
        request.removeAttribute(ATTRIBUTE);
        SagaExecution execution = saga.execution();
        if (execution != null) {
            int status = buffered.getStatus();
            if (failureStatuses.isFailure(status)) {
                execution.compensate(new IllegalStateException("The request ended with status " + status));
            }
            else {
                try {
                    execution.complete();
                }
                catch (RuntimeException ex) {
                    execution.compensate(ex);
                    throw new ServletException("Saga " + execution.id() + " could not be closed", ex);
                }
            }
        }
        buffered.copyBodyToResponse();
    }

    private static void compensate(RequestSaga saga, Throwable cause) {
        SagaExecution execution = saga.execution();
        if (execution != null) {
            execution.compensate(cause);
        }
    }

    /** This filter's own buffer, told apart from other filters' content-caching wrappers. */
    private static final class BufferedResponse extends ContentCachingResponseWrapper {

        BufferedResponse(HttpServletResponse response) {
            super(response);
        }

    }

}
