package dev.reliant.sample.inventory;

/** No stock was ever recorded for a SKU. */
public class UnknownSkuException extends RuntimeException {

    public UnknownSkuException(String sku) {
        super("No inventory for " + sku);
    }
}
