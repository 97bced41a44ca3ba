package dev.reliant.saga;

import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A JPA entity written in the same transaction as a saga. */
@Entity
public class Shipment {

    @Id
    private UUID id;

    private String business;

    protected Shipment() {
    }

    Shipment(String business) {
        this.id = UUID.randomUUID();
        this.business = business;
    }
}
