package dev.reliant.sample.inventory;

import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionAspectSupport;

/**
 * Stock, as a separate service would keep it: every call commits on its own, so an order that fails later can
 * only give its stock back through its saga's compensation. Reserving and releasing are idempotent by
 * reservation id, and a release is final: a reserve that arrives after it is refused.
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

    /**
     * Takes {@code quantity} items of {@code sku} under {@code reservationId}; a repeated call changes nothing, and
     * a call for a reservation already released (a late action whose compensation came first) is refused.
     */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void reserve(String reservationId, String sku, int quantity) {
        Optional<Boolean> released = jdbc.sql("SELECT released FROM stock_reservation WHERE id = ?")
            .param(reservationId)
            .query(Boolean.class)
            .optional();
        if (released.isPresent()) {
            refuseIfReleased(reservationId, released.get());
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
        int reserved = jdbc.sql("INSERT INTO stock_reservation (id, sku, quantity) VALUES (?, ?, ?)"
                + " ON CONFLICT (id) DO NOTHING")
            .params(reservationId, sku, quantity)
            .update();
        if (reserved == 0) {
            // another call under this id committed meanwhile: give the stock taken here back, answer as it did
            TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();
            refuseIfReleased(reservationId, jdbc.sql("SELECT released FROM stock_reservation WHERE id = ?")
                .param(reservationId)
                .query(Boolean.class)
                .single());
        }
    }

    private static void refuseIfReleased(String reservationId, boolean released) {
        if (released) {
            throw new IllegalStateException("Reservation " + reservationId + " was released before it was made");
        }
    }

    /**
     * Gives a reservation's items back, once; releasing a released reservation changes nothing, and releasing an
     * unknown one leaves a tombstone that refuses a later reserve under its id.
     */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public boolean release(String reservationId) {
        return jdbc.sql("""
                WITH released AS (
                    INSERT INTO stock_reservation (id, released) VALUES (?, TRUE)
                    ON CONFLICT (id) DO UPDATE SET released = TRUE WHERE NOT stock_reservation.released
                    RETURNING sku, quantity)
                UPDATE inventory SET available = available + released.quantity
                FROM released WHERE inventory.sku = released.sku""")
            .param(reservationId)
            .update() > 0;
    }
}
