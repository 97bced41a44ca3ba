package dev.reliant.idempotency.web;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpEntity;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Refuses to start an application in which a handler that streams or answers asynchronously (server-sent events,
 * {@link StreamingResponseBody}, {@link DeferredResult}, ...) is idempotent, through {@code @Idempotent} or a path
 * rule: such a response is not complete when the filter must store it, and silently running the handler again on
 * every retry is exactly what idempotency is there to prevent.
 */
public class StreamingEndpointGuard implements SmartInitializingSingleton {

    private static final Set<Class<?>> STREAMING_TYPES = Set.of(ResponseBodyEmitter.class,
            StreamingResponseBody.class, DeferredResult.class, Callable.class, CompletionStage.class,
            WebAsyncTask.class);

    private static final String PUBLISHER = "org.reactivestreams.Publisher";

    private final List<RequestMappingHandlerMapping> handlerMappings;

    private final IdempotencyPolicyResolver policies;

    public StreamingEndpointGuard(List<RequestMappingHandlerMapping> handlerMappings,
            IdempotencyPolicyResolver policies) {
        this.handlerMappings = handlerMappings;
        this.policies = policies;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> offenders = handlerMappings.stream()
            .flatMap(mapping -> mapping.getHandlerMethods().entrySet().stream())
            .filter(entry -> streams(entry.getValue().getMethod()))
            .filter(entry -> policies.mayApplyTo(entry.getKey(), entry.getValue()))
            .map(entry -> entry.getValue().getShortLogMessage())
            .distinct()
            .collect(Collectors.toList());
        if (!offenders.isEmpty()) {
            throw new IdempotentStreamingHandlerException(offenders);
        }
    }

    /** Whether a handler method's response is written after it returned (streamed or asynchronous). */
    public static boolean streams(Method method) {
        ResolvableType returnType = ResolvableType.forMethodReturnType(method);
        if (HttpEntity.class.isAssignableFrom(returnType.toClass())) {
            returnType = returnType.as(HttpEntity.class).getGeneric(0);
        }
        Class<?> type = returnType.toClass();
        return STREAMING_TYPES.stream().anyMatch(streaming -> streaming.isAssignableFrom(type))
                || implementsNamed(type, PUBLISHER);
    }

    private static boolean implementsNamed(Class<?> type, String name) {
        for (Class<?> current = type; current != null; current = current.getSuperclass()) {
            if (current.getName().equals(name)) {
                return true;
            }
            for (Class<?> implemented : current.getInterfaces()) {
                if (implementsNamed(implemented, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
