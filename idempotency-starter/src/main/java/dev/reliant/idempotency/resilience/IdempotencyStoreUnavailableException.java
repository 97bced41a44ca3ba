package dev.reliant.idempotency.resilience;

/** The store did not answer in time, failed, or is shut off by the circuit breaker. */
public class IdempotencyStoreUnavailableException extends RuntimeException {

    public IdempotencyStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
