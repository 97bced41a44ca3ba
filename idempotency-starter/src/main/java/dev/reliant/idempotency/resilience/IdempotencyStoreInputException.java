package dev.reliant.idempotency.resilience;

/**
 * The store refused a call because of what the request gave it, such as a key longer than the store keeps: the
 * request is at fault, not the store, so the call does not count against the store's circuit breaker.
 */
public class IdempotencyStoreInputException extends RuntimeException {

    public IdempotencyStoreInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
