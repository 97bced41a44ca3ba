package dev.reliant.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.reliant.outbox.support.LedgerTablePublisher;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A relay process is killed with {@code kill -9}. Another relay takes over once the dead one's heartbeat has
 * lapsed: everything is delivered, and the only duplicates are the messages the dead relay had sent but not yet
 * recorded (part of its batch in flight), with the same ids.
 */
class RelayKillTests {

    @Test
    void killingARelayMidDrainLosesNothingAndDuplicatesOnlyItsBatchInFlight() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.jdbc.execute(LedgerTablePublisher.DDL);
            fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                    + " SELECT gen_random_uuid(), 'orders', 'key-' || (n % 100), 'counted', '{\"n\":' || n || '}'"
                    + " FROM generate_series(1, 5000) AS n");
            Set<UUID> written = new HashSet<>(
                    fixture.jdbc.queryForList("SELECT id FROM reliant_outbox", UUID.class));

            Set<UUID> inFlight;
            Set<UUID> sentNotRecorded;
            try (ChildJvm child = ChildJvm.start(RelayChildMain.class, List.of(fixture.schema.jdbcUrl(),
                    fixture.schema.username(), fixture.schema.password(), fixture.tables.channel()), Map.of())) {
                // kill it while a batch is half sent: some of its messages delivered, none recorded yet
                await().atMost(Duration.ofSeconds(120))
                    .until(() -> deliveries(fixture) >= 500 && !sentNotRecorded(fixture).isEmpty()
                            || !child.isAlive());
                assertThat(child.isAlive()).as(child.output()).isTrue();
                child.kill();
                // the server completes a statement it was running for the dead client, such as the commit of a
                // batch's outcome, before it notices the client is gone
                await().atMost(Duration.ofSeconds(60)).until(() -> fixture.jdbc.queryForObject(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", Long.class,
                        "relay-child-" + fixture.tables.channel()) == 0);
                inFlight = new HashSet<>(fixture.jdbc.queryForList(
                        "SELECT id FROM reliant_outbox WHERE status = 'PENDING' AND claim_token IS NOT NULL",
                        UUID.class));
                sentNotRecorded = sentNotRecorded(fixture);
            }
            assertThat(fixture.count("status = 'PENDING'")).as("killed mid-drain").isPositive();
            assertThat(inFlight).isNotEmpty().containsAll(sentNotRecorded);

            fixture.relay(new LedgerTablePublisher(fixture.jdbc)).start();
            await().atMost(Duration.ofSeconds(180)).until(() -> fixture.count("status = 'PUBLISHED'") == 5000);

            List<UUID> delivered = fixture.jdbc.queryForList("SELECT message_id FROM delivered", UUID.class);
            assertThat(new HashSet<>(delivered)).isEqualTo(written);
            Set<UUID> duplicated = new HashSet<>(fixture.jdbc.queryForList(
                    "SELECT message_id FROM delivered GROUP BY message_id HAVING count(*) > 1", UUID.class));
            assertThat(duplicated).isEqualTo(sentNotRecorded);
            assertThat(fixture.jdbc.queryForObject(
                    "SELECT max(c) FROM (SELECT count(*) AS c FROM delivered GROUP BY message_id) AS counts",
                    Long.class)).isLessThanOrEqualTo(2);
            // per key, the first deliveries follow the order of writing
            List<Map<String, Object>> disorder = fixture.jdbc.queryForList("""
                    SELECT message_key FROM (
                        SELECT message_key, (payload::jsonb ->> 'n')::int AS n,
                               lag((payload::jsonb ->> 'n')::int) OVER (PARTITION BY message_key ORDER BY first) AS previous
                        FROM (SELECT message_key, payload, min(delivered_seq) AS first FROM delivered
                              GROUP BY message_id, message_key, payload) AS firsts) AS ordered
                    WHERE previous > n""");
            assertThat(disorder).isEmpty();
        }
    }

    /**
     * A relay process claims a batch and hangs in the broker call (a broker that never answers), holding the
     * default one-minute lease, and is killed. A relay started afterwards finds the dead instance's heartbeat
     * lapsed and relays its batch within 10 s of starting, each message once.
     */
    @Test
    void aKilledRelaysClaimsAreRelayedWithinSecondsOfANewRelayStarting() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.jdbc.execute(LedgerTablePublisher.DDL);
            List<UUID> written = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                written.add(fixture.write("orders", "key-" + (i % 8), Map.of("n", i)));
            }
            try (ChildJvm child = ChildJvm.start(RelayChildMain.class, List.of(fixture.schema.jdbcUrl(),
                    fixture.schema.username(), fixture.schema.password(), fixture.tables.channel(), "hold"),
                    Map.of())) {
                // the batch is claimed and the relay is inside the broker call
                await().atMost(Duration.ofSeconds(120))
                    .until(() -> fixture.count("claim_token IS NOT NULL") == 40 && child.output().contains("sending")
                            || !child.isAlive());
                assertThat(child.isAlive()).as(child.output()).isTrue();
                child.kill();
            }
            assertThat(fixture.jdbc.queryForObject("SELECT min(lease_until) - now() > interval '30 seconds' FROM"
                    + " reliant_outbox", Boolean.class)).as("the dead relay's lease still runs").isTrue();

            long started = System.nanoTime();
            fixture.relay(new LedgerTablePublisher(fixture.jdbc))
                .lease(Duration.ofMinutes(1), Duration.ofSeconds(20))
                .start();
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.count("status = 'PUBLISHED'") == 40);
            Duration recovery = Duration.ofNanos(System.nanoTime() - started);

            assertThat(recovery).isLessThan(Duration.ofSeconds(10));
            List<UUID> delivered = fixture.jdbc.queryForList("SELECT message_id FROM delivered", UUID.class);
            assertThat(delivered).hasSize(40).containsExactlyInAnyOrderElementsOf(written);
        }
    }

    /**
     * A process writes messages that it leases to its own relay and hands over; its broker never answers, and it is
     * killed. Its keys stay leased for the rest of the default minute, yet a relay started afterwards finds the
     * dead instance's heartbeat lapsed and relays every message within 10 s of starting, each once.
     */
    @Test
    void messagesAKilledWriterHandedToItsOwnRelayAreRelayedWithinSecondsOfANewRelayStarting() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.jdbc.execute(LedgerTablePublisher.DDL);
            try (ChildJvm child = ChildJvm.start(RelayChildMain.class, List.of(fixture.schema.jdbcUrl(),
                    fixture.schema.username(), fixture.schema.password(), fixture.tables.channel(), "write"),
                    Map.of())) {
                await().atMost(Duration.ofSeconds(120))
                    .until(() -> child.output().contains("written") || !child.isAlive());
                assertThat(child.isAlive()).as(child.output()).isTrue();
                child.kill();
            }
            assertThat(fixture.count("claim_token IS NOT NULL")).as("handed over, never recorded")
                .isEqualTo(RelayChildMain.WRITTEN);
            assertThat(fixture.jdbc.queryForObject("SELECT min(available_at) - now() > interval '30 seconds' FROM"
                    + " reliant_outbox_keys", Boolean.class)).as("the dead writer's leases still run").isTrue();
            List<UUID> written = fixture.jdbc.queryForList("SELECT id FROM reliant_outbox", UUID.class);

            long started = System.nanoTime();
            fixture.relay(new LedgerTablePublisher(fixture.jdbc))
                .lease(Duration.ofMinutes(1), Duration.ofSeconds(20))
                .start();
            await().atMost(Duration.ofSeconds(60))
                .until(() -> fixture.count("status = 'PUBLISHED'") == RelayChildMain.WRITTEN);
            Duration recovery = Duration.ofNanos(System.nanoTime() - started);

            assertThat(recovery).isLessThan(Duration.ofSeconds(10));
            List<UUID> delivered = fixture.jdbc.queryForList("SELECT message_id FROM delivered", UUID.class);
            assertThat(delivered).hasSize(RelayChildMain.WRITTEN).containsExactlyInAnyOrderElementsOf(written);
        }
    }

    private static Set<UUID> sentNotRecorded(OutboxFixture fixture) {
        return new HashSet<>(fixture.jdbc.queryForList("SELECT DISTINCT d.message_id FROM delivered d"
                + " JOIN reliant_outbox o ON o.id = d.message_id WHERE o.status = 'PENDING'", UUID.class));
    }

    private static long deliveries(OutboxFixture fixture) {
        return fixture.jdbc.queryForObject("SELECT count(*) FROM delivered", Long.class);
    }
}
