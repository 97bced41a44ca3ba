package dev.reliant.saga.core;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.reliant.saga.Compensation;

import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/** Finds the {@link Compensation @Compensation} methods of all beans and knows them by name. */
public class CompensationHandlers implements BeanPostProcessor {

    private final Map<String, CompensationHandler> handlers = new ConcurrentHashMap<>();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        // the scoped proxy is registered, not each scoped instance behind it
        if (ScopedProxyUtils.isScopedTarget(beanName) || !AnnotationUtils.isCandidateClass(type, Compensation.class)) {
            return bean;
        }
        Map<Method, Compensation> methods = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<Compensation>) method -> AnnotatedElementUtils
                    .findMergedAnnotation(method, Compensation.class));
        methods.forEach((method, annotation) -> register(annotation.value(),
                new CompensationHandler(annotation.value(), bean, AopUtils.selectInvocableMethod(method, bean.getClass()))));
        return bean;
    }

    private void register(String name, CompensationHandler handler) {
        CompensationHandler previous = handlers.putIfAbsent(name, handler);
        if (previous != null) {
            throw new IllegalStateException("Two @Compensation handlers are named '" + name + "': " + previous
                    + " and " + handler);
        }
    }

    /** The handler named {@code name}; fails when there is none. */
    public CompensationHandler get(String name) {
        CompensationHandler handler = handlers.get(name);
        if (handler == null) {
            throw new IllegalArgumentException("No @Compensation(\"" + name + "\") handler method in the context");
        }
        return handler;
    }

}
