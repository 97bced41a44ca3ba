package dev.reliant.lock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.reliant.lock.CurrentLock;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockNotAcquiredException;
import dev.reliant.lock.LockRegistry;
import dev.reliant.lock.Locked;
import dev.reliant.lock.WhenLocked;
import dev.reliant.lock.tx.FenceCheckingTransactionListener;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringValueResolver;

/**
 * Runs a {@link Locked} method under its lock: takes it (or skips, or waits), binds the lease to the thread for the
 * method's duration, and releases it afterwards.
 */
public class LockedMethodInterceptor implements MethodInterceptor {

    private static final Logger log = LoggerFactory.getLogger(LockedMethodInterceptor.class);

    private final ObjectProvider<LockRegistry> registry;

    private final ObjectProvider<FenceCheckingTransactionListener> fenceChecks;

    private final StringValueResolver placeholders;

    private final Duration defaultLease;

    private final Map<Method, Settings> settings = new ConcurrentHashMap<>();

    public LockedMethodInterceptor(ObjectProvider<LockRegistry> registry,
            ObjectProvider<FenceCheckingTransactionListener> fenceChecks, StringValueResolver placeholders,
            Duration defaultLease) {
        this.registry = registry;
        this.fenceChecks = fenceChecks;
        this.placeholders = placeholders;
        this.defaultLease = defaultLease;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Class<?> target = (invocation.getThis() != null) ? AopUtils.getTargetClass(invocation.getThis()) : null;
        Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), target);
        Settings lock = settings.computeIfAbsent(method, this::settings);
        LockRegistry locks = registry.getIfAvailable();
        if (locks == null) {
            throw new IllegalStateException("@Locked method " + method + " needs a LockRegistry: configure Redis or a"
                    + " DataSource for the lock store");
        }
        Optional<LockLease> acquired = (lock.whenLocked() == WhenLocked.SKIP)
                ? locks.tryAcquire(lock.name(), lock.lease())
                : Optional.of(locks.acquire(lock.name(), lock.lease(), lock.waitFor()));
        if (acquired.isEmpty()) {
            log.debug("Skipped {}: lock '{}' is held elsewhere", method, lock.name());
            if (method.getReturnType().isPrimitive() && method.getReturnType() != void.class) {
                throw new LockNotAcquiredException(lock.name(), Duration.ZERO);
            }
            return null;
        }
        try (LockLease lease = acquired.get()) {
            fenceChecks.ifAvailable(checks -> checks.checkBeforeCommit(List.of(lease)));
            return CurrentLock.runWith(lease, invocation::proceed);
        }
    }

    private Settings settings(Method method) {
        Locked locked = AnnotatedElementUtils.findMergedAnnotation(method, Locked.class);
        if (locked == null) {
            throw new IllegalStateException("No @Locked on " + method);
        }
        String name = placeholders.resolveStringValue(locked.name());
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("@Locked on " + method + " needs a name");
        }
        String lease = placeholders.resolveStringValue(locked.lease());
        String waitFor = placeholders.resolveStringValue(locked.waitFor());
        Duration leaseDuration = (lease == null || lease.isBlank()) ? defaultLease : DurationStyle.detectAndParse(lease);
        return new Settings(name, leaseDuration, locked.whenLocked(), DurationStyle.detectAndParse(waitFor));
    }

    private record Settings(String name, Duration lease, WhenLocked whenLocked, Duration waitFor) {
    }

}
