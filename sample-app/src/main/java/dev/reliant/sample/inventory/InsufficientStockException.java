package dev.reliant.sample.inventory;

/** Fewer items are available than an order asks for. */
public class InsufficientStockException extends RuntimeException {

    public InsufficientStockException(String sku, int quantity) {
        super("Only fewer than " + quantity + " of " + sku + " are available");
    }
}
