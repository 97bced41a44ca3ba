package dev.reliant.saga;

/**
 * How a saga's compensations run.
 *
 * @param parallel run all compensations at once instead of in reverse step order
 * @param continueOnError when a compensation still fails after its retries, go on with the others (the saga ends
 * {@link SagaState#STUCK} either way); parallel compensation always runs them all
 */
public record SagaOptions(boolean parallel, boolean continueOnError) {

    /** Reverse order, stopping at the first compensation that cannot be done. */
    public static final SagaOptions SEQUENTIAL = new SagaOptions(false, false);

    public SagaOptions withParallel(boolean parallel) {
        return new SagaOptions(parallel, continueOnError);
    }

    public SagaOptions withContinueOnError(boolean continueOnError) {
        return new SagaOptions(parallel, continueOnError);
    }

}
