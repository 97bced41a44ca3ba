package dev.reliant.saga;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A unit of work made of steps, each run together with the way to undo it. When the saga fails, the
 * compensations of the steps that ran are run in reverse order (or in parallel, when so configured).
 * <p>
 * Two kinds of step exist. An <em>in-memory</em> step keeps its compensation as a lambda: cheap, but lost if the
 * process dies. A <em>durable</em> step names a {@link Compensation @Compensation} handler and its JSON arguments;
 * both are written to the saga log before the action runs, so a step whose outcome is unknown (a timeout, a crash)
 * is still compensated, by this process or by the recovery worker of another one.
 * <p>
 * Step names must be unique within a saga: together with the saga id they form the compensation's idempotency key.
 */
public interface Saga {

    /** This saga's id, also the first half of every compensation's idempotency key. */
    String id();

    /**
     * Runs an in-memory step. The compensation receives the action's result and runs only if the action returned.
     */
    <T> T step(String name, Supplier<T> action, Consumer<? super T> compensation);

    /** Runs an in-memory step without a result. */
    void step(String name, Runnable action, Runnable compensation);

    /**
     * Runs a durable step: its intent and compensation are recorded before the action runs, and its result with
     * the saga's next write (the next durable step's intent, the completion, or the start of compensation). The
     * compensation runs whenever the intent was recorded and the saga fails, even if the action itself threw.
     */
    <T> T step(String name, Supplier<T> action, DurableCompensation compensation);

    /** Runs a durable step without a result. */
    void step(String name, Runnable action, DurableCompensation compensation);

}
