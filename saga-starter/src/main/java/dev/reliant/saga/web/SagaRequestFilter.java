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
 * Gives each request its {@link Saga} and ends it when the handler is done: failed when the handler threw (whatever
 * status an exception handler mapped the exception to), an exception escaped, or the status is a failure status;
 * completed otherwise.
 * <p>
 * The response body is held back until the saga has ended, so the client never sees a response before the
 * compensations ran; and since the filter runs outside the dispatcher, any transaction the handler opened itself has
 * already ended by then. When the whole request runs in a transaction on the saga log's database (an idempotent
 * request does), a completed saga is closed in that transaction, and a failed one makes it roll back and is
 * compensated right after. A handler's exception is rethrown afterwards, so the request still ends with an error
 * status; a saga that cannot be closed fails the request as well. How the compensation ended is left in the request
 * attribute {@value #STATE_ATTRIBUTE}.
 */
public class SagaRequestFilter extends OncePerRequestFilter {

    static final String ATTRIBUTE = SagaRequestFilter.class.getName() + ".saga";

    /**
     * Request attribute holding the {@link dev.reliant.saga.SagaState} name of a compensated request's saga:
     * {@code COMPENSATED}, {@code STUCK}, or {@code COMPENSATING} when its compensation was left to recovery.
     */
    public static final String STATE_ATTRIBUTE = "dev.reliant.saga.state";

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
            fail(saga, ex);
            throw ex;
        }
        if (isAsyncStarted(request)) {
            return;
        }
        request.removeAttribute(ATTRIBUTE);
        SagaExecution execution = saga.execution();
        if (execution != null) {
            int status = buffered.getStatus();
            if (saga.handlerFailure() != null) {
                execution.fail(saga.handlerFailure());
            }
            else if (failureStatuses.isFailure(status)) {
                execution.fail(new IllegalStateException("The request ended with status " + status));
            }
            else {
                try {
                    execution.complete();
                }
                catch (RuntimeException ex) {
                    execution.fail(ex);
                    throw new ServletException("Saga " + execution.id() + " could not be closed", ex);
                }
            }
        }
        buffered.copyBodyToResponse();
    }

    private static void fail(RequestSaga saga, Throwable cause) {
        SagaExecution execution = saga.execution();
        if (execution != null) {
            execution.fail(cause);
        }
    }

    /** This filter's own buffer, told apart from other filters' content-caching wrappers. */
    private static final class BufferedResponse extends ContentCachingResponseWrapper {

        BufferedResponse(HttpServletResponse response) {
            super(response);
        }

    }

}
