package dev.reliant.sample.inventory;

import dev.reliant.sample.validation.NoControlCharacters;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code PUT /inventory/{sku}} sets the stock of a SKU, {@code GET} reads it. */
@RestController
class InventoryController {

    private final InventoryService inventory;

    InventoryController(InventoryService inventory) {
        this.inventory = inventory;
    }

    @PutMapping("/inventory/{sku}")
    StockLevel put(@PathVariable @Size(max = 64) @NoControlCharacters String sku,
            @Valid @RequestBody StockUpdate update) {
        return new StockLevel(sku, inventory.setAvailable(sku, update.available()));
    }

    @GetMapping("/inventory/{sku}")
    StockLevel get(@PathVariable @Size(max = 64) @NoControlCharacters String sku) {
        return new StockLevel(sku, inventory.available(sku).orElseThrow(() -> new UnknownSkuException(sku)));
    }

    record StockUpdate(@NotNull @Min(0) Integer available) {
    }

    record StockLevel(String sku, int available) {
    }
}
