package dev.reliant.sample.inventory;

import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stock, as a separate service would keep it: every call commits on its own, so an order that fails later can
 * only give its stock back through its saga's compensation. Reserving and releasing are idempotent by
 * reservation id.
 */
@Service
public class InventoryService {

    private final JdbcClient jdbc;

    public InventoryService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public int setAvailable(String sku, int available) {
        jdbc.sql("INSERT INTO inventory (sku, available) VALUES (?, ?) "
                + "ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available")
            .params(sku, available)
            .update();
        return available;
    }

    @Transactional(readOnly = true)
    public Optional<Integer> available(String sku) {
        return jdbc.sql("SELECT available FROM inventory WHERE sku = ?").param(sku).query(Integer.class).optional();
    }

    /** Takes {@code quantity} items of {@code sku} under {@code reservationId}; a repeated call changes nothing. */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void reserve(String reservationId, String sku, int quantity) {
        boolean known = jdbc.sql("SELECT count(*) FROM stock_reservation WHERE id = ?")
            .param(reservationId)
            .query(Integer.class)
            .single() > 0;
        if (known) {
            return;
        }
        int taken = jdbc.sql("UPDATE inventory SET available = available - ? WHERE sku = ? AND available >= ?")
            .params(quantity, sku, quantity)
            .update();
        if (taken == 0) {
            if (available(sku).isEmpty()) {
                throw new UnknownSkuException(sku);
            }
            throw new InsufficientStockException(sku, quantity);
        }
        jdbc.sql("INSERT INTO stock_reservation (id, sku, quantity) VALUES (?, ?, ?)")
            .params(reservationId, sku, quantity)
            .update();
    }

    /** Gives a reservation's items back, once; releasing an unknown or released reservation changes nothing. */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public boolean release(String reservationId) {
        return jdbc.sql("""
                WITH released AS (
                    UPDATE stock_reservation SET released = TRUE WHERE id = ? AND NOT released RETURNING sku, quantity)
                UPDATE inventory SET available = available + released.quantity
                FROM released WHERE inventory.sku = released.sku""")
            .param(reservationId)
            .update() > 0;
    }
}
