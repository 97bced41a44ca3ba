package dev.reliant.test.outbox;

import java.time.Duration;

import javax.sql.DataSource;

import dev.reliant.outbox.jdbc.OutboxTables;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The messages in the application's outbox table, for tests: what the application's transactions wrote, and
 * whether the relay has published it yet. Start a query with {@link #written()} and narrow it down:
 * <pre class="code">
 * outbox.written().to("orders").withKey(orderId).ofType("order.placed").single();
 * outbox.written().withKey(orderId).awaitRelayed();
 * </pre>
 * Every query reads the table afresh. Messages of other tests share the table, so narrow a query down to keys
 * that only the test at hand uses. The relay's cleanup deletes published messages once they are older than
 * {@code reliant.outbox.cleanup.retention}, which tests do not reach.
 */
public class OutboxMessages {

    /** How long {@link OutboxQuery#awaitRelayed()} waits by default. */
    public static final Duration DEFAULT_RELAY_TIMEOUT = Duration.ofSeconds(30);

    private final JdbcTemplate jdbc;

    private final OutboxTables tables;

    public OutboxMessages(DataSource dataSource, OutboxTables tables) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tables = tables;
    }

    /** Every message in the outbox, in the order the relay sends them; narrow it down with the query's methods. */
    public OutboxQuery written() {
        return new OutboxQuery(jdbc, tables.outbox());
    }

}
