package dev.reliant.benchmarks.saga;

import dev.reliant.saga.Compensation;
import dev.reliant.saga.CompensationContext;

import org.springframework.jdbc.core.JdbcTemplate;

/** The participant every step calls: one row inserted per reservation, deleted by its compensation. */
public class Reservations {

    static final String SCHEMA = "CREATE TABLE reservations (saga_id VARCHAR(64) NOT NULL, step VARCHAR(64) NOT NULL,"
            + " PRIMARY KEY (saga_id, step))";

    private final JdbcTemplate jdbc;

    public Reservations(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public String reserve(String id, String step) {
        jdbc.update("INSERT INTO reservations (saga_id, step) VALUES (?, ?)", id, step);
        return step;
    }

    @Compensation("release")
    public void release(String step, CompensationContext context) {
        jdbc.update("DELETE FROM reservations WHERE saga_id = ? AND step = ?", context.sagaId(), step);
    }

}
