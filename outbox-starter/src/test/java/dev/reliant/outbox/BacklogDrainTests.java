package dev.reliant.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.relay.RetryPolicy;
import dev.reliant.outbox.support.Ledger;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A backlog of 200,000 committed messages, written faster than statistics follow, is drained in bounded batches by
 * two workers: none ever holds more than one batch of messages, and per key the order of writing is kept. Claims
 * stay cheap when every key of such a backlog backs off.
 */
class BacklogDrainTests {

    static final int MESSAGES = 200_000;

    static final int KEYS = 2_000;

    @Test
    void drainsA200000MessageBacklogInBoundedBatches() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                    + " SELECT gen_random_uuid(), 'orders', 'key-' || (n % ?), 'counted', n::text"
                    + " FROM generate_series(1, ?) AS n", KEYS, MESSAGES);
            AtomicLong delivered = new AtomicLong();
            AtomicInteger outOfOrder = new AtomicInteger();
            Map<String, Integer> lastPerKey = new ConcurrentHashMap<>();
            OutboxPublisher counting = (message) -> {
                int n = Integer.parseInt(message.payload());
                Integer previous = lastPerKey.put(message.key(), n);
                if (previous != null && previous >= n) {
                    outOfOrder.incrementAndGet();
                }
                delivered.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            };
            AtomicInteger largestClaim = new AtomicInteger();
            AtomicInteger claims = new AtomicInteger();
            fixture.relay(counting)
                .batch(100, 20)
                .workers(2)
                .afterClaim((claimed) -> {
                    claims.incrementAndGet();
                    largestClaim.accumulateAndGet(claimed.size(), Math::max);
                })
                .start();
            await().atMost(Duration.ofSeconds(240)).until(() -> fixture.count("status = 'PENDING'") == 0);

            assertThat(delivered.get()).isEqualTo(MESSAGES);
            assertThat(outOfOrder.get()).isZero();
            assertThat(largestClaim.get()).isLessThanOrEqualTo(100 * 20);
            assertThat(claims.get()).isGreaterThanOrEqualTo(MESSAGES / (100 * 20));
        }
    }

    /**
     * The head of every key of a 200,000-message backlog failed and backs off for an hour. A claim then finds
     * nothing due in a few milliseconds, instead of examining every pending message behind those heads.
     */
    @Test
    void claimsStayFastWhileEveryKeysHeadBacksOff() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                    + " SELECT gen_random_uuid(), 'orders', 'key-' || (n % ?), 'counted', n::text"
                    + " FROM generate_series(1, ?) AS n", KEYS, MESSAGES);
            Ledger broker = new Ledger();
            broker.failWhen((message) -> true, new IllegalStateException("broker unavailable"));
            OutboxRelay relay = fixture.relay(broker)
                .batch(100, 20)
                .workers(2)
                .retry(new RetryPolicy(RetryPolicy.exponentialWithJitter(Duration.ofHours(1), 2.0, 0.5,
                        Duration.ofHours(2)), 20, List.of()))
                .start();
            await().atMost(Duration.ofSeconds(120)).until(() -> fixture.count("attempts = 1") == KEYS);
            relay.stop();

            RelayStore store = new RelayStore(fixture.jdbc, fixture.transactions, fixture.json, fixture.tables, true);
            UUID instance = UUID.randomUUID();
            List<Duration> claims = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                assertThat(store.claim(100, 20, Duration.ofMinutes(1), UUID.randomUUID(), instance)).isEmpty();
                claims.add(Duration.ofNanos(System.nanoTime() - started));
            }
            // examining the pending messages behind the heads took about a second per claim here
            assertThat(claims.stream().sorted().toList().get(claims.size() / 2)).as("median of %s", claims)
                .isLessThan(Duration.ofMillis(250));
        }
    }
}
