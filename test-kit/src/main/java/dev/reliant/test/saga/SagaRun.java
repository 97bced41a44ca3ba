package dev.reliant.test.saga;

import java.util.ArrayList;
import java.util.List;

import dev.reliant.saga.SagaState;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link SagaScenario} run ended: the saga's state in the log, the steps it took before it was interrupted,
 * and every compensation call made for it.
 */
public final class SagaRun {

    private final String id;

    private final boolean crashed;

    private final @Nullable SagaState state;

    private final List<ScenarioSaga.TakenStep> taken;

    private final List<CompensationCall> compensations;

    SagaRun(String id, boolean crashed, @Nullable SagaState state, List<ScenarioSaga.TakenStep> taken,
            List<CompensationCall> compensations) {
        this.id = id;
        this.crashed = crashed;
        this.state = state;
        this.taken = List.copyOf(taken);
        this.compensations = List.copyOf(compensations);
    }

    /** The saga's id. */
    public String id() {
        return id;
    }

    /** The saga's state in the log, or {@code null} when it took no durable step and so was never logged. */
    public @Nullable SagaState state() {
        return state;
    }

    /** The names of the steps whose compensation is due, in the order they were taken. */
    public List<String> steps() {
        return taken.stream().map(ScenarioSaga.TakenStep::name).toList();
    }

    /** Every compensation call made for this saga, retries included, in the order they ended. */
    public List<CompensationCall> compensations() {
        return compensations;
    }

    /** The compensation calls made for the step {@code step}. */
    public List<CompensationCall> compensationsOf(String step) {
        return compensations.stream().filter(call -> call.step().equals(step)).toList();
    }

    /**
     * Asserts that every step taken was undone by exactly one call of its compensation, which returned; that no
     * other compensation ran; and that the log ends the saga {@link SagaState#COMPENSATED}. A compensation that was
     * retried ran more than once: whatever its failed attempts did outside the database happened again, so this
     * fails then too. After a crash, a step with an in-memory compensation fails here: that compensation died with
     * the process.
     * @return this, to go on asserting
     */
    public SagaRun assertCompensatedOnce() {
        List<String> problems = new ArrayList<>();
        for (ScenarioSaga.TakenStep step : taken) {
            List<CompensationCall> calls = compensationsOf(step.name());
            if (calls.isEmpty() && crashed && !step.durable()) {
                problems.add("step '" + step.name() + "' has an in-memory compensation, which died with the crashed"
                        + " process; make it durable (DurableCompensation) to have it undone after a crash");
            }
            else if (calls.isEmpty()) {
                problems.add("step '" + step.name() + "' was never compensated");
            }
            else if (calls.size() > 1) {
                problems.add("step '" + step.name() + "' was compensated " + calls.size() + " times: " + calls);
            }
            else if (!calls.get(0).returned()) {
                problems.add("the compensation of step '" + step.name() + "' failed: " + calls.get(0));
            }
        }
        List<String> stepNames = steps();
        compensations.stream()
            .filter(call -> !stepNames.contains(call.step()))
            .forEach(call -> problems.add("a step the saga never took was compensated: " + call));
        if (state != null && state != SagaState.COMPENSATED) {
            problems.add("the saga ended " + state + " instead of COMPENSATED");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Saga " + id + (crashed ? " (crashed)" : " (failed)") + " was not compensated"
                    + " exactly once:" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ",
                            problems));
        }
        return this;
    }

    @Override
    public String toString() {
        return "SagaRun[" + id + ", " + state + ", steps " + steps() + ", compensations " + compensations + "]";
    }

}
