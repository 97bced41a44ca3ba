package dev.reliant.idempotency.web;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.metrics.IdempotencyMetrics;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One sweeper renews every running request's lease; a renewal the store is slow to answer holds up no other. */
class LeaseHeartbeatTests {

    @Test
    void aRenewalTheStoreDoesNotAnswerHoldsUpNoOtherLease() throws Exception {
        AtomicInteger fastRenewals = new AtomicInteger();
        CompletableFuture<Boolean> never = new CompletableFuture<>();
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(Clock.systemUTC()) {
            @Override
            public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
                if (key.equals("stuck")) {
                    return never;
                }
                fastRenewals.incrementAndGet();
                return CompletableFuture.completedFuture(true);
            }
        };
        LeaseHeartbeat heartbeat = new LeaseHeartbeat(new GuardedIdempotencyStore(store,
                CircuitBreaker.ofDefaults("claims"), CircuitBreaker.ofDefaults("settles"),
                TimeLimiter.of(Duration.ofMinutes(1)), IdempotencyMetrics.NONE, ObservationRegistry.NOOP),
                Duration.ofMillis(20), Duration.ofMinutes(1));
        try {
            LeaseHeartbeat.Beat stuck = heartbeat.start("stuck", "owner-1", Duration.ofSeconds(1));
            LeaseHeartbeat.Beat fast = heartbeat.start("fast", "owner-2", Duration.ofSeconds(1));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fastRenewals).hasValueGreaterThan(5));
            assertThat(stuck.lost()).isFalse();
            assertThat(fast.lost()).isFalse();
            fast.stop();
            int renewed = fastRenewals.get();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(fastRenewals).hasValueLessThanOrEqualTo(renewed + 1));
        }
        finally {
            never.complete(true);
            heartbeat.destroy();
        }
    }
}
