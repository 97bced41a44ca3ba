package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;

import dev.reliant.idempotency.IdempotencyProblems;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.idempotency.app.TestController;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.reliant.idempotency.web.IdempotentEndpointTests.afterItSettled;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.assertProblem;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.executions;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.newKey;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Responses larger than {@code max-stored-response-size} stream to the client instead of being held, end to end
 * over HTTP; those up to the limit are still held and replayed.
 */
class LargeResponseTests {

    private static final int LIMIT = 64 * 1024;

    private static RunningApp app;

    @BeforeAll
    static void start() {
        String[] redis = RunningApp.redis(TestRedis.newKeyPrefix());
        String[] properties = java.util.Arrays.copyOf(redis, redis.length + 1);
        properties[redis.length] = "reliant.idempotency.max-stored-response-size=64KB";
        app = RunningApp.start(properties);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @ParameterizedTest(name = "writer: {0}")
    @ValueSource(booleans = { false, true })
    void responseFarBeyondTheLimitArrivesWholeAndItsRetryIsNotRunAgain(boolean writer) {
        int bytes = 8 * 1024 * 1024;
        String key = newKey();
        String path = "/api/export?bytes=" + bytes + "&writer=" + writer;
        HttpResponse<byte[]> first = app.post(path).key(key).send();

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
        assertThat(first.body()).hasSize(bytes);
        assertThat(first.body()).isEqualTo(TestController.exportBody(bytes));

        assertProblem(afterItSettled(() -> app.post(path).key(key).send()), 410,
                IdempotencyProblems.RESPONSE_NOT_STORED.toString());
        assertThat(executions("/api/export", key, "alice")).isEqualTo(1);
    }

    @Test
    void keyIsHeldButAStreamedResponseIsNotReplacedByAProblem() {
        int bytes = 1024 * 1024;
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/api/export/stuck?bytes=" + bytes).key(key).send();

        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(first.body()).isEqualTo(TestController.exportBody(bytes));
        assertProblem(app.post("/api/export/stuck?bytes=" + bytes).key(key).send(), 409,
                IdempotencyProblems.COMPENSATION_PENDING.toString());
        assertThat(executions("/api/export/stuck", key, "alice")).isEqualTo(1);
    }

    @ParameterizedTest(name = "writer: {0}")
    @ValueSource(booleans = { false, true })
    void responseUpToTheLimitIsReplayedByteForByte(boolean writer) {
        String key = newKey();
        String path = "/api/export?bytes=" + LIMIT + "&writer=" + writer;
        HttpResponse<byte[]> first = app.post(path).key(key).send();
        HttpResponse<byte[]> retry = app.post(path).key(key).send();

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo(TestController.exportBody(LIMIT));
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.headers().firstValueAsLong("Content-Length")).hasValue(LIMIT);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(executions("/api/export", key, "alice")).isEqualTo(1);
    }

    @ParameterizedTest(name = "writer: {0}")
    @ValueSource(booleans = { false, true })
    void oneByteBeyondTheLimitIsNotStored(boolean writer) {
        String key = newKey();
        String path = "/api/export?bytes=" + (LIMIT + 1) + "&writer=" + writer;
        HttpResponse<byte[]> first = app.post(path).key(key).send();

        assertThat(first.body()).isEqualTo(TestController.exportBody(LIMIT + 1));
        assertProblem(afterItSettled(() -> app.post(path).key(key).send()), 410,
                IdempotencyProblems.RESPONSE_NOT_STORED.toString());
        assertThat(executions("/api/export", key, "alice")).isEqualTo(1);
    }
}
