package dev.reliant.outbox.support;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A broker that outlives the process publishing to it: each delivery is a committed row in a {@code delivered}
 * table, duplicates included, so that a test can inspect what a killed relay had sent.
 */
public final class LedgerTablePublisher implements OutboxPublisher {

    public static final String DDL = "CREATE TABLE delivered (message_id uuid NOT NULL, message_key text NOT NULL,"
            + " payload text NOT NULL, delivered_seq bigint GENERATED ALWAYS AS IDENTITY)";

    private final JdbcTemplate jdbc;

    private final Duration latency;

    public LedgerTablePublisher(JdbcTemplate jdbc) {
        this(jdbc, Duration.ZERO);
    }

    /** @param latency how long the broker takes to acknowledge each message */
    public LedgerTablePublisher(JdbcTemplate jdbc, Duration latency) {
        this.jdbc = jdbc;
        this.latency = latency;
    }

    @Override
    public CompletableFuture<Void> publish(OutboxMessage message) {
        jdbc.update("INSERT INTO delivered (message_id, message_key, payload) VALUES (?, ?, ?)", message.id(),
                message.key(), message.payload());
        if (!latency.isZero()) {
            LockSupport.parkNanos(latency.toNanos());
        }
        return CompletableFuture.completedFuture(null);
    }
}
