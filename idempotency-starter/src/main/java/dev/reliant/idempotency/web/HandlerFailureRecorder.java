package dev.reliant.idempotency.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Notes, before any other resolver handles it, an exception that Spring MVC raised after an idempotent request's
 * handler had returned (no acceptable representation, a serialization error): the request ran, so its outcome is
 * kept. It resolves nothing itself.
 */
public class HandlerFailureRecorder implements HandlerExceptionResolver, Ordered {

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        HandlerInvocation invocation = HandlerInvocation.of(request);
        if (invocation != null) {
            invocation.exceptionRaised();
        }
        return null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
