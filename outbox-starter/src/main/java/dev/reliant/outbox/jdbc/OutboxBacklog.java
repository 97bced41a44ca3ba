package dev.reliant.outbox.jdbc;

import java.time.Duration;

import org.springframework.jdbc.core.JdbcTemplate;

/** Reads how far behind the relay is, in one query over the unpublished rows. */
public class OutboxBacklog {

    private final JdbcTemplate jdbc;

    private final String query;

    public OutboxBacklog(JdbcTemplate jdbc, OutboxTables tables) {
        this.jdbc = jdbc;
        this.query = "SELECT count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'PARKED'),"
                + " coalesce((extract(epoch FROM (now() - min(created_at) FILTER (WHERE status = 'PENDING')))"
                + " * 1000)::bigint, 0) FROM " + tables.outbox() + " WHERE status IN ('PENDING', 'PARKED')";
    }

    public Snapshot snapshot() {
        return jdbc.queryForObject(query,
                (rs, row) -> new Snapshot(rs.getLong(1), rs.getLong(2), Duration.ofMillis(Math.max(0, rs.getLong(3)))));
    }

    /**
     * @param pending messages waiting to be published (including those backing off)
     * @param parked messages the relay gave up on
     * @param oldestPendingAge the age of the oldest pending message, by the database clock; zero when none
     */
    public record Snapshot(long pending, long parked, Duration oldestPendingAge) {
    }
}
