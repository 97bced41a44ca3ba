package dev.reliant.saga.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Notes, before any other resolver maps it to a status, an exception raised while a request's saga ran: the saga
 * fails, even when an exception handler answers it with a status that is not a failure status. It resolves nothing
 * itself.
 */
public class SagaFailureRecorder implements HandlerExceptionResolver, Ordered {

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (request.getAttribute(SagaRequestFilter.ATTRIBUTE) instanceof RequestSaga saga) {
            saga.failed(ex);
        }
        return null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
