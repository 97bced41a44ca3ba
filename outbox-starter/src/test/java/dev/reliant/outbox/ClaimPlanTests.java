package dev.reliant.outbox;

import java.util.List;

import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The claim walks the pending index in sequence order and probes the key indexes, whether the table has statistics
 * or not: the plans PostgreSQL picks from missing or stale statistics (sorting every pending row, hashing the whole
 * table) made each claim of a large backlog take seconds.
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

            assertIndexDriven(store.explainClaim(100, 20));
            fixture.jdbc.execute("ANALYZE reliant_outbox");
            assertIndexDriven(store.explainClaim(100, 20));
        }
    }

    private static void assertIndexDriven(List<String> plan) {
        String text = String.join("\n", plan);
        assertThat(text).contains("Index Scan using reliant_outbox_pending_idx")
            .contains("reliant_outbox_key_idx")
            .doesNotContain("Seq Scan", "Bitmap", "Sort", "Hash", "Merge");
    }

}
