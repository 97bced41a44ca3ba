package dev.reliant.benchmarks.idempotency;

import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/** A business write: one row in a table of the application's own, in a transaction that joins the caller's. */
public class BusinessWriter {

    /** The business table, created by the benchmark before the application starts. */
    static final String TABLE = "CREATE TABLE bench_write (id UUID PRIMARY KEY, data TEXT NOT NULL)";

    private final JdbcTemplate jdbc;

    public BusinessWriter(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    public void write(Object data) {
        jdbc.update("INSERT INTO bench_write (id, data) VALUES (?, ?)", UUID.randomUUID(), String.valueOf(data));
    }

}
