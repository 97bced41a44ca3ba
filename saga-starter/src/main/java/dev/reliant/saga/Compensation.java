package dev.reliant.saga;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as the compensation handler named {@link #value()}, the target of
 * {@link DurableCompensation#of(String, Object...)}. Its parameters receive the recorded arguments in order; a
 * parameter of type {@link CompensationContext} receives the call's context.
 * <p>
 * A handler runs in its own transaction, together with the log entry that marks the step compensated, so work it
 * does through the application's {@code DataSource} happens exactly once. A handler that calls another system must
 * be idempotent: pass {@link CompensationContext#idempotencyKey()} so that the other side can dedupe. A handler may
 * also be called for a step whose action never took effect (a crash or timeout right after the intent was
 * recorded) and must then do nothing.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Compensation {

    /** The handler's name, unique in the application. */
    String value();

}
