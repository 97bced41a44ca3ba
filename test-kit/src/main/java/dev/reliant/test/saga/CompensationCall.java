package dev.reliant.test.saga;

import org.jspecify.annotations.Nullable;

/**
 * One call of a compensation.
 *
 * @param sagaId the saga the compensation served
 * @param step the step it undid
 * @param handler the name of the {@code @Compensation} handler, or {@code null} for an in-memory compensation
 * @param attempt 1 for the first attempt, more for retries
 * @param error what the call threw, or {@code null} when it returned
 */
public record CompensationCall(String sagaId, String step, @Nullable String handler, int attempt,
        @Nullable Throwable error) {

    /** Whether the call returned, which is what a compensation that ran means. */
    public boolean returned() {
        return error == null;
    }

    /** Whether this was a {@code @Compensation} handler, recorded in the saga log and run by recovery too. */
    public boolean durable() {
        return handler != null;
    }

    @Override
    public String toString() {
        return "step '" + step + "' " + (durable() ? "@Compensation(\"" + handler + "\")" : "in-memory")
                + " attempt " + attempt + (returned() ? " returned" : " threw " + error);
    }

}
