package dev.reliant.idempotency.outcome;

import org.springframework.dao.DataIntegrityViolationException;

/** Another run of the same idempotent request committed its outcome first; this run must roll back. */
public class OutcomeConflictException extends DataIntegrityViolationException {

    public OutcomeConflictException(String storageKey) {
        super("A live outcome of idempotency key " + storageKey + " was committed by another run of the request");
    }
}
