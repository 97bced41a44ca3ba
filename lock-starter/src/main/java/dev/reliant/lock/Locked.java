package dev.reliant.lock;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the method on one instance at a time, under a fenced lock (typically beside {@code @Scheduled}). While it
 * runs, {@link CurrentLock} gives its lease and token, and every transaction it begins on the application's
 * {@code DataSource} checks the fence of resource {@link #name()} before commit, so that its writes roll back if a
 * later holder has written meanwhile.
 * <p>
 * When the lock is busy the call is skipped and returns {@code null} ({@link WhenLocked#SKIP}), or waits up to
 * {@link #waitFor()} and then throws {@link LockNotAcquiredException} ({@link WhenLocked#WAIT}). Attributes accept
 * {@code ${...}} placeholders.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Locked {

    /** The lock's name, also the fenced resource. */
    String name();

    /** The lease, renewed while the method runs, e.g. {@code 30s}; empty for {@code reliant.lock.lease}. */
    String lease() default "";

    /** What a call does when another holder has the lock. */
    WhenLocked whenLocked() default WhenLocked.SKIP;

    /** With {@link WhenLocked#WAIT}: how long to try, e.g. {@code 10s}. */
    String waitFor() default "0s";

}
