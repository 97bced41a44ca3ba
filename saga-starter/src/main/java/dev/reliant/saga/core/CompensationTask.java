package dev.reliant.saga.core;

/** One step's compensation, as the {@link Compensator} runs it: attempt after attempt. */
interface CompensationTask {

    String stepName();

    /** One try, in its own transaction. */
    void attempt(int attempt) throws Exception;

    /** Called once when the last attempt failed. */
    void gaveUp(int attempts, Throwable error);

}
