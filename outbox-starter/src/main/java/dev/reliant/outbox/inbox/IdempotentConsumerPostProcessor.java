package dev.reliant.outbox.inbox;

import dev.reliant.outbox.IdempotentConsumer;
import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.AbstractAdvisingBeanPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.core.Ordered;

/**
 * Proxies beans with {@link IdempotentConsumer} methods. It runs before the listener annotation processors of
 * spring-kafka and spring-rabbit (both ordered last), so that their listener containers invoke the proxy.
 */
public class IdempotentConsumerPostProcessor extends AbstractAdvisingBeanPostProcessor {

    private static final long serialVersionUID = 1L;

    public IdempotentConsumerPostProcessor(MethodInterceptor interceptor) {
        this.advisor = new DefaultPointcutAdvisor(
                AnnotationMatchingPointcut.forMethodAnnotation(IdempotentConsumer.class), interceptor);
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(Ordered.LOWEST_PRECEDENCE - 100);
    }
}
