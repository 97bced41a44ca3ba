package dev.reliant.idempotency.jpa;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A payment, unique by reference, so that a second one fails only when Hibernate flushes. */
@Entity
public class Payment {

    @Id
    private UUID id;

    @Column(nullable = false, unique = true)
    private String reference;

    private long amountCents;

    protected Payment() {
    }

    Payment(String reference, long amountCents) {
        this.id = UUID.randomUUID();
        this.reference = reference;
        this.amountCents = amountCents;
    }

    UUID id() {
        return id;
    }
}
