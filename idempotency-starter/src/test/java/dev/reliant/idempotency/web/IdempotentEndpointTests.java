package dev.reliant.idempotency.web;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.reliant.idempotency.IdempotencyProblems;
import dev.reliant.idempotency.app.Executions;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.idempotency.app.TestSecurity;
import dev.reliant.idempotency.app.TestController;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import dev.reliant.testsupport.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.reliant.idempotency.app.RunningApp.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The filter's answers, end to end over HTTP against the Redis store. */
class IdempotentEndpointTests {

    private static RunningApp app;

    @BeforeAll
    static void start() {
        String[] redis = RunningApp.redis(TestRedis.newKeyPrefix());
        String[] properties = new String[redis.length + 3];
        System.arraycopy(redis, 0, properties, 0, redis.length);
        properties[redis.length] = "reliant.idempotency.max-request-size=10KB";
        properties[redis.length + 1] = "reliant.idempotency.max-stored-response-size=64KB";
        properties[redis.length + 2] = "reliant.idempotency.rules[0].method=POST";
        String[] all = java.util.Arrays.copyOf(properties, properties.length + 3);
        all[properties.length] = "reliant.idempotency.rules[0].pattern=/public/ruled";
        all[properties.length + 1] = "reliant.idempotency.rules[1].method=POST";
        all[properties.length + 2] = "reliant.idempotency.rules[1].pattern=/public/stream/b*";
        app = RunningApp.start(all);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void retryReplaysTheStoredResponseByteForByte() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/api/orders").key(key).json("{\"item\":\"book\",\"qty\":1}").send();
        HttpResponse<byte[]> retry = app.post("/api/orders").key(key).json("{\"item\":\"book\",\"qty\":1}").send();

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(first.headers().firstValue("Set-Cookie")).isPresent();
        assertThat(first.headers().firstValue("Idempotency-Key-Expires")).isPresent();
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(retry.headers().firstValue("Content-Type")).isEqualTo(first.headers().firstValue("Content-Type"));
        assertThat(retry.headers().firstValueAsLong("Content-Length")).hasValue(first.body().length);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(retry.headers().firstValue("X-Not-Replayed")).isEmpty();
        assertThat(executions("/api/orders", key, "alice")).isEqualTo(1);
    }

    @Test
    void quotedStructuredFieldKeyIsTheSameKeyAsTheBareToken() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/api/things/1").key('"' + key + '"').send();
        HttpResponse<byte[]> retry = app.post("/api/things/1").key(key).send();
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(first.body());
    }

    @Test
    void missingKeyIsRejectedAsAProblem() {
        HttpResponse<byte[]> response = app.post("/api/orders").json("{}").send();
        assertProblem(response, 400, IdempotencyProblems.KEY_MISSING.toString());
    }

    @Test
    void optionalKeyRunsRequestsWithoutOneAsUsual() {
        assertThat(app.post("/api/optional").send().statusCode()).isEqualTo(200);
        String key = newKey();
        app.post("/api/optional").key(key).send();
        assertThat(app.post("/api/optional").key(key).send().headers().firstValue("Idempotent-Replayed"))
            .hasValue("true");
    }

    @Test
    void malformedKeysAreRejected() {
        assertProblem(app.post("/api/orders").key("").send(), 400, IdempotencyProblems.KEY_INVALID.toString());
        assertProblem(app.post("/api/orders").key("x".repeat(256)).send(), 400,
                IdempotencyProblems.KEY_INVALID.toString());
        assertProblem(app.post("/api/orders").key("a, b").send(), 400, IdempotencyProblems.KEY_INVALID.toString());
        assertProblem(app.post("/api/orders").key("\"a\", \"b\"").send(), 400,
                IdempotencyProblems.KEY_INVALID.toString());
        assertProblem(app.post("/api/orders").key("\"unterminated").send(), 400,
                IdempotencyProblems.KEY_INVALID.toString());
        assertProblem(app.post("/api/orders").key("one").key("two").send(), 400,
                IdempotencyProblems.KEY_INVALID.toString());
        assertThat(app.post("/api/orders").key("x".repeat(255)).json("{}").send().statusCode()).isEqualTo(201);
    }

    @Test
    void keyWithAControlCharacterIsRejected() throws Exception {
        // java.net.http refuses to send such a header, so the request is written by hand.
        String request = "POST /api/things/1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic "
                + java.util.Base64.getEncoder().encodeToString("alice:alice-pass".getBytes(StandardCharsets.UTF_8))
                + "\r\nIdempotency-Key: \"a\tb\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 400");
            assertThat(response).contains(IdempotencyProblems.KEY_INVALID.toString());
        }
    }

    @Test
    void keyReusedForADifferentRequestIsRejected() {
        String key = newKey();
        assertThat(app.post("/api/orders").key(key).json("{\"qty\":1}").send().statusCode()).isEqualTo(201);
        assertProblem(app.post("/api/orders").key(key).json("{\"qty\":2}").send(), 422,
                IdempotencyProblems.KEY_REUSED.toString());

        String pathKey = newKey();
        app.post("/api/things/1").key(pathKey).send();
        assertProblem(app.post("/api/things/2").key(pathKey).send(), 422, IdempotencyProblems.KEY_REUSED.toString());

        String queryKey = newKey();
        app.post("/api/things/1?a=1&b=2").key(queryKey).send();
        assertThat(app.post("/api/things/1?b=2&a=1").key(queryKey).send().headers()
            .firstValue("Idempotent-Replayed")).as("query order does not matter").hasValue("true");
        assertProblem(app.post("/api/things/1?a=1&b=3").key(queryKey).send(), 422,
                IdempotencyProblems.KEY_REUSED.toString());

        String methodKey = newKey();
        app.post("/api/things/1").key(methodKey).send();
        assertProblem(app.put("/api/things/1").key(methodKey).send(), 422, IdempotencyProblems.KEY_REUSED.toString());
        assertThat(executions("/api/things/1", methodKey, "alice")).isEqualTo(1);
    }

    @Test
    void mismatchWinsOverInFlight() throws Exception {
        String key = newKey();
        Thread slow = new Thread(() -> app.post("/api/slow?ms=2000").key(key).send());
        slow.start();
        org.awaitility.Awaitility.await().until(() -> executions("/api/slow", key, "alice") == 1);
        assertProblem(app.post("/api/slow?ms=2000").key(key).send(), 409,
                IdempotencyProblems.REQUEST_IN_PROGRESS.toString());
        assertProblem(app.post("/api/slow?ms=1").key(key).send(), 422, IdempotencyProblems.KEY_REUSED.toString());
        slow.join();
    }

    @Test
    void inFlightDuplicateGetsConflictWithRetryAfter() throws Exception {
        String key = newKey();
        Thread slow = new Thread(() -> app.post("/api/slow?ms=1500").key(key).send());
        slow.start();
        org.awaitility.Awaitility.await().until(() -> executions("/api/slow", key, "alice") == 1);
        HttpResponse<byte[]> duplicate = app.post("/api/slow?ms=1500").key(key).send();
        assertProblem(duplicate, 409, IdempotencyProblems.REQUEST_IN_PROGRESS.toString());
        assertThat(duplicate.headers().firstValue("Retry-After")).hasValue("1");
        slow.join();
        assertThat(app.post("/api/slow?ms=1500").key(key).send().headers().firstValue("Idempotent-Replayed"))
            .hasValue("true");
        assertThat(executions("/api/slow", key, "alice")).isEqualTo(1);
    }

    @Test
    void handlerClientErrorsAreStoredAndReplayed() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/api/client-error").key(key).send();
        HttpResponse<byte[]> retry = app.post("/api/client-error").key(key).send();
        assertThat(first.statusCode()).isEqualTo(409);
        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(executions("/api/client-error", key, "alice")).isEqualTo(1);

        String notFoundKey = newKey();
        assertThat(app.post("/api/status-exception").key(notFoundKey).send().statusCode()).isEqualTo(404);
        HttpResponse<byte[]> notFoundRetry = app.post("/api/status-exception").key(notFoundKey).send();
        assertThat(notFoundRetry.statusCode()).isEqualTo(404);
        assertThat(notFoundRetry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(executions("/api/status-exception", notFoundKey, "alice")).isEqualTo(1);
    }

    @Test
    void serverErrorsReleaseTheKeyWhetherThrownOrReturned() {
        String thrown = newKey();
        assertThat(app.post("/api/fail/thrown").key(thrown).send().statusCode()).isEqualTo(500);
        assertThat(app.post("/api/fail/thrown").key(thrown).send().statusCode()).isEqualTo(500);
        assertThat(executions("/api/fail/thrown", thrown, "alice")).isEqualTo(2);

        String returned = newKey();
        assertThat(app.post("/api/fail/returned").key(returned).send().statusCode()).isEqualTo(503);
        HttpResponse<byte[]> retry = app.post("/api/fail/returned").key(returned).send();
        assertThat(retry.statusCode()).isEqualTo(503);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions("/api/fail/returned", returned, "alice")).isEqualTo(2);
    }

    @Test
    void rejectionsBeforeTheHandlerDoNotUseTheKey() {
        String key = newKey();
        assertThat(app.post("/api/validated").key(key).json("{\"name\":\"\"}").send().statusCode()).isEqualTo(400);
        assertThat(app.post("/api/validated").key(key).json("{\"name\":\"\"}").send().statusCode()).isEqualTo(400);
        assertThat(executions("/api/validated", key, "alice")).isZero();

        String unreadable = newKey();
        assertThat(app.post("/api/validated").key(unreadable).json("{not json").send().statusCode()).isEqualTo(400);
        assertThat(app.post("/api/validated").key(unreadable).json("{not json").send().headers()
            .firstValue("Idempotent-Replayed")).isEmpty();

        String unauthenticated = newKey();
        assertThat(app.post("/api/orders").key(unauthenticated).anonymous().json("{}").send().statusCode())
            .isEqualTo(401);
        HttpResponse<byte[]> afterLogin = app.post("/api/orders").key(unauthenticated).json("{}").send();
        assertThat(afterLogin.statusCode()).isEqualTo(201);
        assertThat(afterLogin.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void oversizedRequestIsRejectedBeforeTheKeyIsUsed() {
        String key = newKey();
        String big = "{\"blob\":\"" + "x".repeat(11 * 1024) + "\"}";
        assertProblem(app.post("/api/orders").key(key).json(big).send(), 413,
                IdempotencyProblems.REQUEST_TOO_LARGE.toString());
        assertThat(executions("/api/orders", key, "alice")).isZero();
        assertThat(app.post("/api/orders").key(key).json("{}").send().statusCode()).isEqualTo(201);
    }

    @Test
    void oversizedResponseRunsOnceAndItsRetryGetsAProblem() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/api/large?bytes=100000").key(key).send();
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).hasSize(100_000);
        assertProblem(afterItSettled(() -> app.post("/api/large?bytes=100000").key(key).send()), 410,
                IdempotencyProblems.RESPONSE_NOT_STORED.toString());
        assertThat(executions("/api/large", key, "alice")).isEqualTo(1);
    }

    @Test
    void binaryCompressedBodyReplaysByteForByte() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/api/binary").key(key).send();
        HttpResponse<byte[]> retry = app.post("/api/binary").key(key).send();
        assertThat(first.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(retry.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(retry.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(executions("/api/binary", key, "alice")).isEqualTo(1);
    }

    @Test
    void principalsNeverShareKeys() {
        String key = newKey();
        HttpResponse<byte[]> alice = app.post("/api/orders").key(key).json("{}").send();
        HttpResponse<byte[]> bob = app.post("/api/orders").key(key).json("{}").as("bob").send();
        assertThat(bob.statusCode()).isEqualTo(201);
        assertThat(bob.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(bob.body()).isNotEqualTo(alice.body());
        assertThat(executions("/api/orders", key, "alice")).isEqualTo(1);
        assertThat(executions("/api/orders", key, "bob")).isEqualTo(1);
        HttpResponse<byte[]> bobAgain = app.post("/api/orders").key(key).json("{}").as("bob").send();
        assertThat(bobAgain.body()).isEqualTo(bob.body());
    }

    @Test
    void tenantComesFromTheAuthenticatedPrincipalNeverFromAClientHeader() {
        String key = newKey();
        HttpResponse<byte[]> acme = app.post("/api/tenant").key(key).send();
        HttpResponse<byte[]> colleague = app.post("/api/tenant").key(key).as("carol").send();
        assertThat(colleague.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(colleague.body()).as("the tenant, not the user, owns the key").isEqualTo(acme.body());
        HttpResponse<byte[]> forged = app.post("/api/tenant").key(key).header("X-Tenant-Id", "acme").as("bob")
            .send();
        assertThat(forged.statusCode()).isEqualTo(200);
        assertThat(forged.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(forged.body()).as("bob's tenant is globex, whatever header he sends").isNotEqualTo(acme.body());
        assertProblem(app.post("/api/tenant").key(newKey()).header("X-Tenant-Id", "acme").as("dave").send(), 400,
                IdempotencyProblems.SCOPE_MISSING.toString());
    }

    @Test
    void overLongScopeIsRejectedBeforeTheStoreIsAsked() {
        String user = TestSecurity.LONG_NAMED_USER;
        for (int i = 0; i < 120; i++) {
            assertProblem(app.post("/api/orders").key(newKey()).json("{}").as(user).send(), 400,
                    IdempotencyProblems.SCOPE_INVALID.toString());
        }
        assertThat(app.context().getBean(GuardedIdempotencyStore.class).circuitState())
            .isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(app.post("/api/orders").key(newKey()).json("{}").send().statusCode()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(ints = { 408, 425, 429 })
    void answersThatAskTheClientToComeBackLaterAreNotKept(int status) {
        String key = newKey();
        assertThat(app.post("/api/answer?status=" + status).key(key).send().statusCode()).isEqualTo(status);
        HttpResponse<byte[]> retry = app.post("/api/answer?status=200").key(key).send();
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions("/api/answer", key, "alice")).isEqualTo(2);
    }

    @Test
    void idempotentOnAClassCoversItsUnsafeMethodsOnly() {
        String key = newKey();
        HttpResponse<byte[]> read = app.get("/api/class-level").key(key).send();
        HttpResponse<byte[]> readAgain = app.get("/api/class-level").key(key).send();
        assertThat(readAgain.statusCode()).isEqualTo(200);
        assertThat(readAgain.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(readAgain.body()).isNotEqualTo(read.body());
        HttpResponse<byte[]> write = app.post("/api/class-level").key(key).send();
        HttpResponse<byte[]> writeAgain = app.post("/api/class-level").key(key).send();
        assertThat(writeAgain.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(writeAgain.body()).isEqualTo(write.body());
        assertProblem(app.post("/api/class-level").send(), 400, IdempotencyProblems.KEY_MISSING.toString());
    }

    @Test
    void streamingHandlerThatARuleMatchesIsRefusedBeforeItRunsAndItsKeyIsReleased() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/public/stream/b.c").key(key).anonymous().send();
        HttpResponse<byte[]> retry = app.post("/public/stream/b.c").key(key).anonymous().send();
        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(retry.statusCode()).as("released, not held or tombstoned").isEqualTo(500);
        assertThat(Executions.count(TestController.executionKey("/public/stream/b.c", key, null, null))).isZero();
        HttpResponse<byte[]> unprotected = app.post("/public/stream/x.c").anonymous().send();
        assertThat(new String(unprotected.body(), StandardCharsets.UTF_8)).isEqualTo("streamed");
    }

    @Test
    void pathRulesProtectEndpointsWithoutTheAnnotation() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/public/ruled").key(key).anonymous().send();
        HttpResponse<byte[]> retry = app.post("/public/ruled").key(key).anonymous().send();
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertProblem(app.post("/public/ruled").anonymous().send(), 400, IdempotencyProblems.KEY_MISSING.toString());
        assertThat(app.post("/api/plain").key(key).send().statusCode()).isEqualTo(200);
        assertThat(app.post("/api/plain").key(key).send().headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void outcomesAreCounted() {
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        double replayed = registry.get("reliant.idempotency.requests").tag("outcome", "replayed").counter().count();
        double mismatched = registry.get("reliant.idempotency.requests").tag("outcome", "mismatch").counter().count();
        String key = newKey();
        app.post("/api/things/7").key(key).send();
        app.post("/api/things/7").key(key).send();
        app.post("/api/things/8").key(key).send();
        assertThat(registry.get("reliant.idempotency.requests").tag("outcome", "replayed").counter().count())
            .isEqualTo(replayed + 1);
        assertThat(registry.get("reliant.idempotency.requests").tag("outcome", "mismatch").counter().count())
            .isEqualTo(mismatched + 1);
        assertThat(registry.get("reliant.idempotency.store").tag("operation", "claim").timer().count()).isPositive();
    }

    @Test
    void actuatorShowsAndEvictsAKey() {
        String key = newKey();
        app.post("/api/things/9").key(key).send();
        HttpResponse<byte[]> record = app.get("/actuator/idempotency/user:alice/" + key).anonymous().send();
        assertThat(record.statusCode()).isEqualTo(200);
        assertThat(text(record)).contains("\"state\":\"COMPLETED\"").contains("\"status\":200");
        HttpResponse<byte[]> evicted = app.delete("/actuator/idempotency/user:alice/" + key).anonymous().send();
        assertThat(text(evicted)).contains("\"evicted\":true");
        assertThat(app.post("/api/things/9").key(key).send().headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions("/api/things/9", key, "alice")).isEqualTo(2);
        assertThat(text(app.get("/actuator/health").anonymous().send())).contains("\"status\":\"UP\"");
    }

    static void assertProblem(HttpResponse<byte[]> response, int status, String type) {
        assertThat(response.statusCode()).as(text(response)).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(text(response)).contains("\"type\":\"" + type + "\"").contains("\"status\":" + status);
    }

    /**
     * The answer to a retry once the first request settled: a response too large to store streams to the client
     * before its tombstone is written, so a quick retry may still find the key in progress (409).
     */
    static HttpResponse<byte[]> afterItSettled(Supplier<HttpResponse<byte[]>> retry) {
        AtomicReference<HttpResponse<byte[]>> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            last.set(retry.get());
            return last.get().statusCode() != 409;
        });
        return last.get();
    }

    static int executions(String path, String key, String user) {
        return Executions.count(TestController.executionKey(path, key, user, null));
    }

    static String newKey() {
        return UUID.randomUUID().toString();
    }
}
