package dev.reliant.saga;

/**
 * Thrown when this process no longer owns a saga: its lease expired and another process took it over, so the
 * write was refused and the saga's remaining work belongs to the new owner.
 */
public class SagaFencedException extends RuntimeException {

    public SagaFencedException(String sagaId) {
        super("Saga " + sagaId + " is owned by another process; this owner's lease was taken over");
    }

}
