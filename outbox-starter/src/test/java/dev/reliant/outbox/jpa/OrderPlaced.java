package dev.reliant.outbox.jpa;

import dev.reliant.outbox.Externalized;

/** A domain event that goes to the outbox, keyed by its order. */
@Externalized(destination = "orders", key = "orderId")
public record OrderPlaced(String orderId, String reference, long amountCents) {
}
