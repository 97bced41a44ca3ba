package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.app.CrashableApp;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.reliant.idempotency.web.IdempotentEndpointTests.executions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Leases: how a slow request keeps its key, how a stalled one loses it, and how a crashed one frees it. */
class LeaseTests {

    private static final String SLOW = "/api/slow-short-lease";

    @Test
    void requestThatOutlivesItsLeaseCannotOverwriteItsSuccessor() {
        String prefix = TestRedis.newKeyPrefix();
        try (RunningApp app = startWith(prefix, "reliant.idempotency.heartbeat.enabled=false")) {
            MeterRegistry meters = app.context().getBean(MeterRegistry.class);
            GuardedIdempotencyStore store = app.context().getBean(GuardedIdempotencyStore.class);
            String key = UUID.randomUUID().toString();
            String storageKey = ScopeResolvers.storageKey("user:alice", key);
            String path = SLOW;
            // The stalled request tries to complete while its successor still runs, so only the owner check of the
            // completion keeps it from writing its response over the successor's claim.
            AtomicReference<IdempotencyRecord> whenTheStalledOneFinished = new AtomicReference<>();
            CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture
                .supplyAsync(() -> app.post(path).key(key).header("X-Sleep-Ms", "3000").send())
                .whenComplete((response, ex) -> whenTheStalledOneFinished.set(store.find(storageKey).orElse(null)));
            await().until(() -> executions(SLOW, key, "alice") == 1);

            // Retries get 409 until the first request's one-second lease lapses; then one takes the key over.
            List<HttpResponse<byte[]>> second = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                HttpResponse<byte[]> response = app.post(path).key(key).header("X-Sleep-Ms", "5000").send();
                second.add(response);
                return response.statusCode() != 409;
            });
            HttpResponse<byte[]> successor = second.get(second.size() - 1);
            HttpResponse<byte[]> stalled = first.join();

            assertThat(whenTheStalledOneFinished.get()).as("the record when the stalled request had finished")
                .satisfies(record -> assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS));
            assertThat(stalled.statusCode()).isEqualTo(200);
            assertThat(successor.statusCode()).isEqualTo(200);
            assertThat(executions(SLOW, key, "alice")).isEqualTo(2);
            HttpResponse<byte[]> later = app.post(path).key(key).send();
            assertThat(later.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(later.body()).isEqualTo(successor.body()).isNotEqualTo(stalled.body());
            assertThat(meters.get("reliant.idempotency.requests").tag("outcome", "lease_lost").counter().count())
                .isEqualTo(1);
        }
    }

    @Test
    void heartbeatKeepsASlowRequestsKeyPastItsLease() {
        try (RunningApp app = startWith(TestRedis.newKeyPrefix())) {
            String key = UUID.randomUUID().toString();
            String path = SLOW;
            CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture
                .supplyAsync(() -> app.post(path).key(key).header("X-Sleep-Ms", "3000").send());
            await().until(() -> executions(SLOW, key, "alice") == 1);

            // For two seconds, twice the lease, every duplicate finds the key still held.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> {
                HttpResponse<byte[]> duplicate = app.post(path).key(key).send();
                return duplicate.statusCode() == 409;
            });
            assertThat(first.join().statusCode()).isEqualTo(200);
            assertThat(executions(SLOW, key, "alice")).isEqualTo(1);
        }
    }

    /** The killed process talked to Redis through either client; the survivor through Lettuce. */
    @ParameterizedTest
    @ValueSource(strings = { "lettuce", "jedis" })
    void keyOfACrashedProcessIsFreedWhenItsLeaseLapses(String clientOfTheKilledProcess) {
        String prefix = TestRedis.newKeyPrefix();
        int childPort = freePort();
        List<String> args = new ArrayList<>();
        args.add("--server.port=" + childPort);
        args.add("--spring.data.redis.client-type=" + clientOfTheKilledProcess);
        for (String property : RunningApp.redis(prefix)) {
            args.add("--" + property);
        }
        try (RunningApp survivor = startWith(prefix); ChildJvm doomed = ChildJvm.start(CrashableApp.class, args,
                Map.of())) {
            String key = UUID.randomUUID().toString();
            await().atMost(Duration.ofSeconds(90)).until(() -> isUp(childPort, doomed));
            String client = "jedis".equals(clientOfTheKilledProcess) ? "Jedis" : "Lettuce";
            await().until(() -> doomed.output().contains("Redis store through " + client));
            CompletableFuture.runAsync(() -> sendTo(childPort, SLOW, key));
            GuardedIdempotencyStore store = survivor.context().getBean(GuardedIdempotencyStore.class);
            String storageKey = ScopeResolvers.storageKey("user:alice", key);
            await().until(() -> store.find(storageKey).isPresent());
            HttpResponse<byte[]> whileItRuns = survivor.post(SLOW).key(key).send();
            assertThat(whileItRuns.statusCode()).as("the child's running request holds the key").isEqualTo(409);
            assertThat(executions(SLOW, key, "alice")).isZero();

            doomed.kill();

            List<HttpResponse<byte[]>> retries = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                HttpResponse<byte[]> retry = survivor.post(SLOW).key(key).send();
                retries.add(retry);
                return retry.statusCode() != 409;
            });
            assertThat(retries.get(retries.size() - 1).statusCode()).isEqualTo(200);
            assertThat(executions(SLOW, key, "alice")).as("runs in this JVM").isEqualTo(1);
        }
    }

    private static RunningApp startWith(String prefix, String... more) {
        String[] redis = RunningApp.redis(prefix);
        String[] all = java.util.Arrays.copyOf(redis, redis.length + more.length);
        System.arraycopy(more, 0, all, redis.length, more.length);
        return RunningApp.start(all);
    }

    private static boolean isUp(int port, ChildJvm child) {
        if (!child.isAlive()) {
            throw new IllegalStateException("Child application died:\n" + child.output());
        }
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        }
        catch (java.io.IOException ex) {
            return false;
        }
    }

    private static void sendTo(int port, String path, String key) {
        try {
            java.net.http.HttpClient.newHttpClient()
                .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                    .header("Idempotency-Key", key)
                    .header("X-Sleep-Ms", "60000")
                    .header("Authorization", "Basic YWxpY2U6YWxpY2UtcGFzcw==")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.discarding());
        }
        catch (java.io.IOException ex) {
            // the process was killed mid-request, which is the point
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
