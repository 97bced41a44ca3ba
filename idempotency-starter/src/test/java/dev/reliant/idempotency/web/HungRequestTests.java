package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import static dev.reliant.idempotency.web.IdempotentEndpointTests.executions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A handler that hangs holds its key only until the maximum execution time, not for ever. */
class HungRequestTests {

    private static final String SLOW = "/api/slow-short-lease";

    @Test
    void hungRequestStopsRenewingItsLeaseAfterTheMaximumExecutionTime() {
        String[] redis = RunningApp.redis(TestRedis.newKeyPrefix());
        String[] properties = java.util.Arrays.copyOf(redis, redis.length + 1);
        properties[redis.length] = "reliant.idempotency.heartbeat.max-execution-time=2s";
        try (RunningApp app = RunningApp.start(properties)) {
            String key = UUID.randomUUID().toString();
            CompletableFuture<HttpResponse<byte[]>> hung = CompletableFuture
                .supplyAsync(() -> app.post(SLOW).key(key).header("X-Sleep-Ms", "9000").send());
            await().until(() -> executions(SLOW, key, "alice") == 1);
            assertThat(app.post(SLOW).key(key).send().statusCode()).as("held while it runs").isEqualTo(409);

            // The lease is 1 s and renewed every third of it, so without the limit the key stays held for 9 s.
            await().atMost(Duration.ofSeconds(6)).until(() -> app.post(SLOW).key(key).send().statusCode() != 409);
            assertThat(executions(SLOW, key, "alice")).as("the retry took the key over").isEqualTo(2);
            HttpResponse<byte[]> successor = app.post(SLOW).key(key).send();
            assertThat(successor.headers().firstValue("Idempotent-Replayed")).hasValue("true");

            assertThat(hung.join().statusCode()).isEqualTo(200);
            HttpResponse<byte[]> afterwards = app.post(SLOW).key(key).send();
            assertThat(afterwards.body()).as("the hung request's late outcome is fenced off")
                .isEqualTo(successor.body());
        }
    }
}
