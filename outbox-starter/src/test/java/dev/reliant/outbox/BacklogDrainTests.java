package dev.reliant.outbox;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A backlog of 200,000 committed messages, written faster than statistics follow, is drained in bounded batches by
 * two workers: none ever holds more than one batch of messages, and per key the order of writing is kept.
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
}
