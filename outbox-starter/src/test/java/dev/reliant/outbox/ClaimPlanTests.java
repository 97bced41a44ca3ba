package dev.reliant.outbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The claim walks the due-key index and probes the per-key indexes, whether the table has statistics or not, and
 * PostgreSQL plans it for its parameters on every execution, also once the driver has prepared it on the server:
 * the plans PostgreSQL picks from missing or stale statistics (sorting every pending row, hashing the whole table),
 * and the generic plan it caches for a prepared statement, made claims of a large backlog take seconds each.
 */
class ClaimPlanTests {

    @ParameterizedTest(name = "parked blocks key: {0}")
    @ValueSource(booleans = { true, false })
    void claimsThroughIndexesWithAndWithoutStatistics(boolean parkedBlocksKey) {
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                    + " SELECT gen_random_uuid(), 'orders', 'key-' || (n % 500), 'counted', n::text"
                    + " FROM generate_series(1, 50000) AS n");
            fixture.jdbc.update("UPDATE reliant_outbox SET status = 'PUBLISHED' WHERE seq % 3 = 0");
            RelayStore store = new RelayStore(fixture.jdbc, fixture.transactions, fixture.json, fixture.tables,
                    parkedBlocksKey);

            assertIndexDriven(store.explainClaim(100, 20), parkedBlocksKey);
            fixture.jdbc.execute("ANALYZE reliant_outbox");
            fixture.jdbc.execute("ANALYZE reliant_outbox_keys");
            assertIndexDriven(store.explainClaim(100, 20), parkedBlocksKey);
        }
    }

    /**
     * The relay's own connection, after it has claimed many times on an empty table (when PostgreSQL would find a
     * generic plan as cheap as any) and then under a backlog: the server-side prepared claim statements were never
     * run with a generic plan.
     */
    @Test
    void theRelayNeverRunsTheClaimWithAGenericPlan() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            SingleConnectionDataSource connection = new SingleConnectionDataSource(fixture.schema.jdbcUrl(),
                    fixture.schema.username(), fixture.schema.password(), true);
            try {
                JdbcTemplate jdbc = new JdbcTemplate(connection);
                RelayStore store = new RelayStore(jdbc,
                        new TransactionTemplate(new DataSourceTransactionManager(connection)), fixture.json,
                        fixture.tables, true);
                UUID instance = UUID.randomUUID();
                for (int i = 0; i < 20; i++) {
                    assertThat(store.claim(50, 10, Duration.ofMinutes(1), UUID.randomUUID(), instance)).isEmpty();
                }
                fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                        + " SELECT gen_random_uuid(), 'orders', 'key-' || (n % 1000), 'counted', n::text"
                        + " FROM generate_series(1, 20000) AS n");
                for (int i = 0; i < 10; i++) {
                    assertThat(store.claim(50, 10, Duration.ofMinutes(1), UUID.randomUUID(), instance)).isNotEmpty();
                }

                List<Map<String, Object>> claimStatements = jdbc.queryForList(
                        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
                                + " WHERE statement LIKE '%reliant_outbox%'");
                assertThat(claimStatements).as("the claim's statements, prepared on the server").isNotEmpty();
                assertThat(claimStatements).allSatisfy((statement) -> {
                    assertThat(((Number) statement.get("generic_plans")).longValue())
                        .as("generic plans of %s", statement.get("statement"))
                        .isZero();
                    assertThat(((Number) statement.get("custom_plans")).longValue()).isPositive();
                });
            }
            finally {
                connection.destroy();
            }
        }
    }

    private static void assertIndexDriven(List<String> plan, boolean parkedBlocksKey) {
        String text = String.join("\n", plan);
        assertThat(text).contains("Index Scan using reliant_outbox_keys_due_idx")
            .contains("reliant_outbox_key_idx")
            .doesNotContain("Seq Scan", "Bitmap", "Sort", "Hash", "Merge");
        if (parkedBlocksKey) {
            assertThat(text).contains("reliant_outbox_parked_idx");
        }
    }

}
