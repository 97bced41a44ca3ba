package dev.reliant.benchmarks.outbox;

import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;

/** The workload's domain table: every writing transaction inserts one order, whatever it does besides. */
final class Orders {

    private Orders() {
    }

    /** Creates the table, before the application starts, as it would exist in production. */
    static void create(JdbcTemplate jdbc) {
        jdbc.execute("CREATE TABLE orders (id UUID PRIMARY KEY, payload TEXT NOT NULL)");
    }

    /** Inserts one order in the caller's transaction and returns its id. */
    static UUID insert(JdbcTemplate jdbc) {
        UUID order = UUID.randomUUID();
        jdbc.update("INSERT INTO orders (id, payload) VALUES (?, ?)", order, OutboxBenchmark.PAYLOAD);
        return order;
    }

    static long count(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT count(*) FROM orders", Long.class);
    }

}
