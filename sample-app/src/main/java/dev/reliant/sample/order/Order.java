package dev.reliant.sample.order;

import java.util.UUID;

/** An order as the API shows it. */
public record Order(UUID id, String sku, int quantity, long amountCents, String reference, String status,
        String owner, int confirmationsSent) {

}
