package dev.reliant.outbox.jpa;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.springframework.data.domain.AbstractAggregateRoot;

/** An aggregate that registers its domain events, saved through a Spring Data JPA repository. */
@Entity
@Table(name = "purchase_order")
public class PurchaseOrder extends AbstractAggregateRoot<PurchaseOrder> {

    @Id
    private UUID id;

    /** Unique, so that a second order with one reference fails only when Hibernate flushes at commit. */
    @Column(nullable = false, unique = true)
    private String reference;

    private long amountCents;

    protected PurchaseOrder() {
    }

    private PurchaseOrder(String reference, long amountCents) {
        this.id = UUID.randomUUID();
        this.reference = reference;
        this.amountCents = amountCents;
    }

    static PurchaseOrder place(String reference, long amountCents) {
        PurchaseOrder order = new PurchaseOrder(reference, amountCents);
        order.registerEvent(new OrderPlaced(order.id.toString(), reference, amountCents));
        return order;
    }

    UUID id() {
        return id;
    }
}
