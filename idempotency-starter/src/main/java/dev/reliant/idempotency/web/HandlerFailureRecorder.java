package dev.reliant.idempotency.web;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.validation.BindException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Notes, before any other resolver handles it, whether an exception was raised by Spring MVC while it prepared the
 * handler call (unreadable body, failed argument validation, missing parameters): such a request never ran the
 * handler, so its 4xx must not use up the key. It resolves nothing itself.
 */
public class HandlerFailureRecorder implements HandlerExceptionResolver, Ordered {

    static final String REJECTED_BEFORE_HANDLER = HandlerFailureRecorder.class.getName() + ".rejectedBeforeHandler";

    private static final Set<Class<? extends Exception>> BEFORE_HANDLER = Set.of(BindException.class,
            HandlerMethodValidationException.class, HttpMessageNotReadableException.class,
            HttpMediaTypeException.class, HttpRequestMethodNotSupportedException.class,
            ServletRequestBindingException.class, TypeMismatchException.class,
            MissingServletRequestPartException.class, MaxUploadSizeExceededException.class);

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (BEFORE_HANDLER.stream().anyMatch(type -> type.isInstance(ex))) {
            request.setAttribute(REJECTED_BEFORE_HANDLER, Boolean.TRUE);
        }
        return null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    static boolean rejectedBeforeHandler(HttpServletRequest request) {
        return Boolean.TRUE.equals(request.getAttribute(REJECTED_BEFORE_HANDLER));
    }
}
