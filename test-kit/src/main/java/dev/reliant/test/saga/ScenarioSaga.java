package dev.reliant.test.saga;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.Saga;

/**
 * The saga a scenario's body gets: it notes each step taken, records the in-memory compensations' calls, and
 * interrupts the body right after the step named by the scenario returned.
 */
final class ScenarioSaga implements Saga {

    private final Saga saga;

    private final String interruptAfter;

    private final Supplier<RuntimeException> interruption;

    private final CompensationRecorder recorder;

    private final List<TakenStep> taken = new CopyOnWriteArrayList<>();

    ScenarioSaga(Saga saga, String interruptAfter, Supplier<RuntimeException> interruption,
            CompensationRecorder recorder) {
        this.saga = saga;
        this.interruptAfter = interruptAfter;
        this.interruption = interruption;
        this.recorder = recorder;
    }

    List<TakenStep> taken() {
        return List.copyOf(taken);
    }

    @Override
    public String id() {
        return saga.id();
    }

    @Override
    public <T> T step(String name, Supplier<T> action, Consumer<? super T> compensation) {
        AtomicInteger attempts = new AtomicInteger();
        T result = saga.step(name, action, value -> {
            int attempt = attempts.incrementAndGet();
            try {
                compensation.accept(value);
            }
            catch (RuntimeException | Error ex) {
                recorder.record(new CompensationCall(saga.id(), name, null, attempt, ex));
                throw ex;
            }
            recorder.record(new CompensationCall(saga.id(), name, null, attempt, null));
        });
        taken.add(new TakenStep(name, false));
        return interruptAfter(name, result);
    }

    @Override
    public void step(String name, Runnable action, Runnable compensation) {
        step(name, () -> {
            action.run();
            return null;
        }, ignored -> compensation.run());
    }

    @Override
    public <T> T step(String name, Supplier<T> action, DurableCompensation compensation) {
        // the intent is in the log once the action starts: from then on the step is compensated, even if it throws
        T result = saga.step(name, () -> {
            taken.add(new TakenStep(name, true));
            return action.get();
        }, compensation);
        return interruptAfter(name, result);
    }

    @Override
    public void step(String name, Runnable action, DurableCompensation compensation) {
        step(name, () -> {
            action.run();
            return null;
        }, compensation);
    }

    private <T> T interruptAfter(String name, T result) {
        if (name.equals(interruptAfter)) {
            throw interruption.get();
        }
        return result;
    }

    /**
     * A step whose compensation is due when the saga fails: a durable one whose action started, or an in-memory one
     * whose action returned.
     */
    record TakenStep(String name, boolean durable) {
    }

}
