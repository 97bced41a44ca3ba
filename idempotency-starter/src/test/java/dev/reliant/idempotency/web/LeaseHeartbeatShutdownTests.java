package dev.reliant.idempotency.web;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.metrics.IdempotencyMetrics;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Destroying the heartbeat while a renewal is under way waits for it: none outlives the store's connections. */
class LeaseHeartbeatShutdownTests {

    @Test
    void destroyWaitsForTheRenewalUnderWay() throws Exception {
        CountDownLatch renewing = new CountDownLatch(1);
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(Clock.systemUTC()) {
            @Override
            public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
                renewing.countDown();
                return answer;
            }
        };
        LeaseHeartbeat heartbeat = new LeaseHeartbeat(new GuardedIdempotencyStore(store,
                CircuitBreaker.ofDefaults("claims"), CircuitBreaker.ofDefaults("settles"),
                TimeLimiter.of(Duration.ofSeconds(30)), IdempotencyMetrics.NONE, ObservationRegistry.NOOP),
                Duration.ofMillis(10),
                Duration.ofMinutes(1));
        heartbeat.start("key", "owner", Duration.ofSeconds(1));
        assertThat(renewing.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> destroyed = CompletableFuture.runAsync(() -> {
            try {
                heartbeat.destroy();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        await().during(Duration.ofMillis(500))
            .atMost(Duration.ofSeconds(5))
            .alias("destroy waits for the renewal under way")
            .until(() -> !destroyed.isDone());
        answer.complete(true);
        destroyed.get(30, TimeUnit.SECONDS);
    }
}
