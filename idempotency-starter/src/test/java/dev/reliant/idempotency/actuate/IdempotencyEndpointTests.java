package dev.reliant.idempotency.actuate;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.app.Executions;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.idempotency.app.TestController;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.metrics.IdempotencyMetrics;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.web.ScopeResolvers;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.jdbc.core.JdbcTemplate;

import static dev.reliant.idempotency.app.RunningApp.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code idempotency} Actuator endpoint, over HTTP on the test application with the Redis store. */
class IdempotencyEndpointTests {

    private static final String FINGERPRINT = "a".repeat(64);

    private static RunningApp app;

    @BeforeAll
    static void start() {
        app = RunningApp.start(RunningApp.redis(TestRedis.newKeyPrefix()));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aRunningRequestsKeyIsEvictedOnlyWhenForced() {
        String key = UUID.randomUUID().toString();
        String path = "/api/slow?ms=3000";
        String record = "/actuator/idempotency/user:alice/" + key;
        CompletableFuture<HttpResponse<byte[]>> running = CompletableFuture
            .supplyAsync(() -> app.post(path).key(key).send());
        await().atMost(Duration.ofSeconds(30))
            .until(() -> Executions.count(TestController.executionKey("/api/slow", key, "alice", null)) == 1);

        HttpResponse<byte[]> refused = app.delete(record).anonymous().send();
        assertThat(refused.statusCode()).as(text(refused)).isEqualTo(409);
        assertThat(text(refused)).contains("\"evicted\":false").contains("still in progress").contains("force=true");
        assertThat(text(app.get(record).anonymous().send())).contains("\"state\":\"IN_PROGRESS\"");
        assertThat(app.post(path).key(key).send().statusCode()).as("a retry while it runs").isEqualTo(409);

        HttpResponse<byte[]> forced = app.delete(record + "?force=true").anonymous().send();
        assertThat(forced.statusCode()).as(text(forced)).isEqualTo(200);
        assertThat(text(forced)).contains("\"evicted\":true");
        assertThat(app.get(record).anonymous().send().statusCode()).isEqualTo(404);
        assertThat(running.join().statusCode()).isEqualTo(200);
    }

    @Test
    void aRecordIsShownWithoutItsFingerprint() {
        String key = UUID.randomUUID().toString();
        assertThat(app.post("/api/things/3").key(key).send().statusCode()).isEqualTo(200);
        HttpResponse<byte[]> record = app.get("/actuator/idempotency/user:alice/" + key).anonymous().send();
        assertThat(record.statusCode()).isEqualTo(200);
        assertThat(text(record)).contains("\"state\":\"COMPLETED\"")
            .contains("\"status\":200")
            .doesNotContain("fingerprint")
            .doesNotContainPattern("[0-9a-f]{64}");
    }

    @Test
    void theDurableOutcomeOfARecordInProgressStaysUnlessForced() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        try (HikariDataSource dataSource = schema.dataSource(2)) {
            new IdempotencySchemaMigrator(dataSource, IdempotencySchemaMigrator.OUTCOME_LOCATION,
                    "reliant_idempotency_outcome", "reliant_idempotency_outcome_schema_history")
                .migrate();
            OutcomeLog outcomes = new OutcomeLog(new JdbcTemplate(dataSource), "reliant_idempotency_outcome");
            GuardedIdempotencyStore store = new GuardedIdempotencyStore(
                    new InMemoryIdempotencyStore(Clock.systemUTC()), CircuitBreaker.ofDefaults("endpoint-test"),
                    CircuitBreaker.ofDefaults("endpoint-test-settle"), TimeLimiter.ofDefaults(),
                    IdempotencyMetrics.NONE, ObservationRegistry.NOOP);
            IdempotencyEndpoint endpoint = new IdempotencyEndpoint(store, outcomes);
            String key = UUID.randomUUID().toString();
            String storageKey = ScopeResolvers.storageKey("user:alice", key);
            String owner = UUID.randomUUID().toString().replace("-", "");
            // The request committed its outcome, and its owner stopped before it completed the store's record.
            store.claim(storageKey, owner, FINGERPRINT, Duration.ofMinutes(1), Duration.ofHours(1));
            outcomes.record(storageKey, FINGERPRINT, RecordState.COMPLETED,
                    new StoredResponse(201, List.of(), new byte[] { 1 }), Duration.ofHours(1));

            WebEndpointResponse<?> refused = endpoint.evict("user:alice", key, null);
            assertThat(refused.getStatus()).isEqualTo(409);
            assertThat(outcomes.find(storageKey, owner)).isPresent();
            assertThat(store.find(storageKey)).isPresent();

            WebEndpointResponse<?> forced = endpoint.evict("user:alice", key, true);
            assertThat(forced.getStatus()).isEqualTo(200);
            assertThat(outcomes.find(storageKey, owner)).isEmpty();
            assertThat(store.find(storageKey)).isEmpty();
        }
    }
}
