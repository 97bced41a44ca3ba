package dev.reliant.outbox;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutboxWriteTests {

    static OutboxFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new OutboxFixture();
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    @Test
    void storesTheMessageWithJsonPayloadAndHeadersInTheCallersTransaction() {
        UUID id = fixture.transactions.execute((status) -> fixture.outbox.publish("orders", "order-1", "order.created",
                Map.of("total", 42), Map.of("tenant", "acme")));
        Map<String, Object> row = fixture.jdbc.queryForMap(
                "SELECT destination, message_key, type, payload, headers::text AS headers, status FROM reliant_outbox WHERE id = ?",
                id);
        assertThat(row).containsEntry("destination", "orders")
            .containsEntry("message_key", "order-1")
            .containsEntry("type", "order.created")
            .containsEntry("payload", "{\"total\":42}")
            .containsEntry("status", "PENDING");
        assertThat((String) row.get("headers")).contains("\"tenant\": \"acme\"");
    }

    @Test
    void writesNothingWhenTheTransactionRollsBack() {
        String key = "rollback-" + UUID.randomUUID();
        assertThatThrownBy(() -> fixture.transactions.executeWithoutResult((status) -> {
            fixture.outbox.publish("orders", key, "order.created", Map.of("n", 1));
            throw new IllegalStateException("business failure after the write");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(fixture.count("message_key = '" + key + "'")).isZero();
    }

    @Test
    void writesNothingWhenASavepointRollsBack() {
        String key = "savepoint-" + UUID.randomUUID();
        TransactionTemplate nested = new TransactionTemplate(fixture.transactions.getTransactionManager());
        nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        fixture.transactions.executeWithoutResult((outer) -> {
            fixture.outbox.publish("orders", key, "kept", Map.of("n", 1));
            assertThatThrownBy(() -> nested.executeWithoutResult((inner) -> {
                fixture.outbox.publish("orders", key, "rolled.back", Map.of("n", 2));
                throw new IllegalStateException("inner step failed");
            })).isInstanceOf(IllegalStateException.class);
        });
        assertThat(fixture.jdbc.queryForList("SELECT type FROM reliant_outbox WHERE message_key = ?", String.class,
                key)).containsExactly("kept");
    }

    @Test
    void refusesToWriteOutsideATransaction() {
        assertThatThrownBy(() -> fixture.outbox.publish("orders", "k", "order.created", Map.of()))
            .isInstanceOf(OutboxTransactionRequiredException.class)
            .hasMessageContaining("inside a read-write transaction");
    }

    @Test
    void refusesToWriteInATransactionOfAnotherDataSource() {
        TestPostgres.Schema other = TestPostgres.newSchema();
        try (HikariDataSource otherDataSource = other.dataSource(2)) {
            TransactionTemplate foreign = new TransactionTemplate(new DataSourceTransactionManager(otherDataSource));
            String key = "foreign-" + UUID.randomUUID();
            assertThatThrownBy(() -> foreign.executeWithoutResult((status) -> {
                fixture.outbox.publish("orders", key, "order.created", Map.of());
                status.setRollbackOnly();
            })).isInstanceOf(OutboxTransactionRequiredException.class).hasMessageContaining("DataSource");
            assertThat(fixture.count("message_key = '" + key + "'")).as("written despite the rollback").isZero();
            other.drop(otherDataSource);
        }
    }

    @Test
    void refusesToWriteInAReadOnlyTransaction() {
        TransactionTemplate readOnly = new TransactionTemplate(fixture.transactions.getTransactionManager());
        readOnly.setReadOnly(true);
        assertThatThrownBy(() -> readOnly.executeWithoutResult(
                (status) -> fixture.outbox.publish("orders", "k", "order.created", Map.of())))
            .isInstanceOf(OutboxTransactionRequiredException.class);
    }

    @Test
    void refusesASecondMessageWithTheSameDedupeKeyAndLeavesTheTransactionUsable() {
        String dedupe = "payment-captured-" + UUID.randomUUID();
        fixture.transactions.executeWithoutResult((status) -> fixture.outbox
            .publish(OutboxEvent.of("payments", "p-1", "payment.captured", Map.of()).withDedupeKey(dedupe)));
        UUID other = fixture.transactions.execute((status) -> {
            assertThatThrownBy(() -> fixture.outbox
                .publish(OutboxEvent.of("payments", "p-1", "payment.captured", Map.of()).withDedupeKey(dedupe)))
                .isInstanceOf(DuplicateOutboxMessageException.class)
                .hasMessageContaining(dedupe);
            return fixture.outbox.publish("payments", "p-1", "payment.noted", Map.of());
        });
        assertThat(fixture.count("dedupe_key = '" + dedupe + "'")).isOne();
        assertThat(fixture.status(other)).isEqualTo("PENDING");
    }

    @Test
    void refusesAPayloadThatCannotBeSerialized() {
        assertThatThrownBy(() -> fixture.transactions.executeWithoutResult(
                (status) -> fixture.outbox.publish("orders", "k", "broken", new Unserializable())))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("serialize");
    }

    @Test
    void notifiesTheRelayChannelOnlyWhenTheTransactionCommits() throws Exception {
        try (Connection listener = fixture.dataSource.getConnection()) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN " + fixture.tables.channel());
            }
            PGConnection pg = listener.unwrap(PGConnection.class);
            fixture.transactions.executeWithoutResult((status) -> {
                fixture.outbox.publish("orders", "n-1", "order.created", Map.of());
                try {
                    assertThat(pg.getNotifications(200)).isNullOrEmpty();
                }
                catch (java.sql.SQLException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            PGNotification[] notifications = pg.getNotifications(10_000);
            assertThat(notifications).isNotEmpty();
            assertThat(notifications[0].getName()).isEqualTo(fixture.tables.channel());
        }
    }

    static final class Unserializable {

        public String getValue() {
            throw new IllegalStateException("no value");
        }
    }
}
