package dev.reliant.lock.aop;

import dev.reliant.lock.Locked;
import org.aopalliance.aop.Advice;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Proxies beans with {@link Locked} methods. The lock's advice goes before the bean's other advisors, so a method
 * that is also {@code @Transactional} begins its transaction under the lock, and the transaction checks the fence.
 */
public class LockedAnnotationPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    public LockedAnnotationPostProcessor(Advice lockedMethodInterceptor) {
        this.advisor = new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, Locked.class, true),
                lockedMethodInterceptor);
        setBeforeExistingAdvisors(true);
    }

}
