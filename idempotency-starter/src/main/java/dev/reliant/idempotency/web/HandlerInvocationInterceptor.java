package dev.reliant.idempotency.web;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Records, on the handler methods of controllers, when an idempotent request's handler starts and how it ends. Spring
 * MVC calls the method on the controller's proxy only once its arguments are resolved and validated, so "started"
 * means the handler's own code ran. Requests that are not idempotent are passed straight through.
 */
public class HandlerInvocationInterceptor extends AbstractPointcutAdvisor implements MethodInterceptor {

    private static final Pointcut HANDLER_METHODS = new AnnotationMatchingPointcut(Controller.class,
            RequestMapping.class, true);

    private final Map<Method, Boolean> streaming = new ConcurrentHashMap<>();

    /** Outermost, so that what the handler's own advice (transactions, security) throws counts as the handler's. */
    public HandlerInvocationInterceptor() {
        setOrder(Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        HandlerInvocation handler = HandlerInvocation.current();
        if (handler == null) {
            return invocation.proceed();
        }
        if (streaming.computeIfAbsent(invocation.getMethod(), StreamingEndpointGuard::streams)) {
            // The startup check compares path rules with mappings as texts and may miss one: refuse before the
            // handler runs, so the key is released, rather than lose the body and hold the key.
            throw new IllegalStateException("An idempotent request reached " + invocation.getMethod()
                    + ", which streams or answers asynchronously; its response cannot be stored, so it was not run");
        }
        handler.enter();
        boolean returned = false;
        try {
            Object result = invocation.proceed();
            returned = true;
            return result;
        }
        finally {
            handler.exit(returned);
        }
    }

    @Override
    public Pointcut getPointcut() {
        return HANDLER_METHODS;
    }

    @Override
    public Advice getAdvice() {
        return this;
    }
}
