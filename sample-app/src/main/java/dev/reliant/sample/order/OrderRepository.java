package dev.reliant.sample.order;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Orders in the {@code customer_order} table. */
@Repository
public class OrderRepository {

    private static final String COLUMNS = "id, sku, quantity, amount_cents, reference, status, owner, "
            + "confirmations_sent";

    private final JdbcClient jdbc;

    public OrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Order order, String reservationId, String chargeId) {
        jdbc.sql("INSERT INTO customer_order (id, owner, sku, quantity, amount_cents, reference, status, "
                + "reservation_id, charge_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .params(order.id(), order.owner(), order.sku(), order.quantity(), order.amountCents(), order.reference(),
                    order.status(), reservationId, chargeId)
            .update();
    }

    public Optional<Order> find(UUID id, String owner) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM customer_order WHERE id = ? AND owner = ?")
            .params(id, owner)
            .query(Order.class)
            .optional();
    }

    public List<Order> findByReference(String owner, String reference) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM customer_order WHERE owner = ? AND reference = ? "
                + "ORDER BY created_at")
            .params(owner, reference)
            .query(Order.class)
            .list();
    }
}
