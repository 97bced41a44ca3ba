package dev.reliant.sample.messaging;

import java.util.UUID;

import dev.reliant.outbox.Inbox;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The consumer of {@code order.created}: it "sends a confirmation" by counting it on the order. The outbox
 * delivers at least once; the inbox makes the effect happen exactly once per message, in the same transaction.
 */
@Service
public class OrderConfirmations {

    static final String CONSUMER = "order-confirmations";

    private final Inbox inbox;

    private final JdbcClient jdbc;

    public OrderConfirmations(Inbox inbox, JdbcClient jdbc) {
        this.inbox = inbox;
        this.jdbc = jdbc;
    }

    @Transactional
    public void orderCreated(String messageId, String orderId) {
        inbox.process(CONSUMER, messageId, () -> jdbc
            .sql("UPDATE customer_order SET confirmations_sent = confirmations_sent + 1 WHERE id = ?")
            .param(UUID.fromString(orderId))
            .update());
    }
}
