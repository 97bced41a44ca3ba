package dev.reliant.saga.core;

/** Carries a checked exception thrown by a compensation handler out of its transaction callback. */
class CompensationFailedException extends RuntimeException {

    CompensationFailedException(String step, Throwable cause) {
        super("Compensation of step '" + step + "' failed", cause);
    }

}
