package dev.reliant.outbox;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.outbox.relay.NotificationWaiter;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's listening connection goes back to the application's pool as any other: no longer listening, and
 * not at all once it broke, so the next borrower never gets a dead connection.
 */
class NotificationWaiterPoolTests {

    @Test
    void aClosedWaitersConnectionGoesBackToThePoolNoLongerListening() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture(); HikariDataSource pool = fixture.schema.dataSource(1)) {
            NotificationWaiter waiter = new NotificationWaiter(pool, fixture.tables.channel());
            assertThat(waiter.await(Duration.ofMillis(1))).isFalse();

            waiter.close();

            assertThat(new JdbcTemplate(pool).queryForObject("SELECT count(*) FROM pg_listening_channels()",
                    Long.class)).isZero();
        }
    }

    @Test
    void aBrokenListeningConnectionIsNotHandedToTheNextBorrower() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture(); HikariDataSource pool = fixture.schema.dataSource(1)) {
            NotificationWaiter waiter = new NotificationWaiter(pool, fixture.tables.channel());
            waiter.await(Duration.ofMillis(1));
            fixture.terminateListener();

            waiter.await(Duration.ofMillis(50));

            // At once, within the pool's window in which it hands out a returned connection without checking it.
            assertThat(new JdbcTemplate(pool).queryForObject("SELECT 1", Integer.class)).isOne();
        }
    }
}
