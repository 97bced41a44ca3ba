package dev.reliant.idempotency.web;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import dev.reliant.idempotency.IdempotencyProblems;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.reliant.idempotency.app.RunningApp.text;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.assertProblem;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.executions;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.newKey;
import static org.assertj.core.api.Assertions.assertThat;

/** Multipart uploads to an idempotent endpoint, end to end over HTTP, with bodies written by hand. */
class MultipartRequestTests {

    private static final String BOUNDARY = "----reliant-boundary-7d41";

    private static final String CONTENT_TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    private static RunningApp app;

    @BeforeAll
    static void start() {
        String[] redis = RunningApp.redis(TestRedis.newKeyPrefix());
        String[] properties = java.util.Arrays.copyOf(redis, redis.length + 3);
        properties[redis.length] = "reliant.idempotency.max-request-size=16KB";
        properties[redis.length + 1] = "spring.servlet.multipart.max-file-size=32KB";
        properties[redis.length + 2] = "spring.servlet.multipart.max-request-size=64KB";
        app = RunningApp.start(properties);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void uploadRunsOnceAndItsRetryIsReplayed() {
        String key = newKey();
        byte[] body = upload("report.txt", "quarterly figures", "first");
        HttpResponse<byte[]> first = app.post("/api/upload").key(key).body(body, CONTENT_TYPE).send();
        HttpResponse<byte[]> retry = app.post("/api/upload").key(key).body(body, CONTENT_TYPE).send();

        assertThat(first.statusCode()).as(text(first)).isEqualTo(201);
        assertThat(text(first)).contains("\"file\":\"report.txt\"").contains("\"content\":\"quarterly figures\"")
            .contains("\"note\":\"first\"");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(executions("/api/upload", key, "alice")).isEqualTo(1);
    }

    @Test
    void sameKeyWithAnotherFileIsRejected() {
        String key = newKey();
        HttpResponse<byte[]> first = app.post("/api/upload").key(key)
            .body(upload("report.txt", "quarterly figures", "first"), CONTENT_TYPE).send();
        assertThat(first.statusCode()).as(text(first)).isEqualTo(201);

        assertProblem(app.post("/api/upload").key(key)
            .body(upload("report.txt", "quarterly figurez", "first"), CONTENT_TYPE).send(), 422,
                IdempotencyProblems.KEY_REUSED.toString());
        assertProblem(app.post("/api/upload").key(key)
            .body(upload("report.csv", "quarterly figures", "first"), CONTENT_TYPE).send(), 422,
                IdempotencyProblems.KEY_REUSED.toString());
        assertThat(executions("/api/upload", key, "alice")).isEqualTo(1);
    }

    @Test
    void malformedMultipartIsRejectedWithoutUsingTheKey() {
        String key = newKey();
        byte[] garbage = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\""
                + "\r\n\r\nno closing boundary").getBytes(StandardCharsets.UTF_8);
        assertProblem(app.post("/api/upload").key(key).body(garbage, CONTENT_TYPE).send(), 400,
                IdempotencyProblems.REQUEST_MALFORMED.toString());
        assertThat(executions("/api/upload", key, "alice")).isZero();

        HttpResponse<byte[]> corrected = app.post("/api/upload").key(key)
            .body(upload("a.txt", "fine", "second"), CONTENT_TYPE).send();
        assertThat(corrected.statusCode()).as(text(corrected)).isEqualTo(201);
        assertThat(corrected.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions("/api/upload", key, "alice")).isEqualTo(1);
    }

    @Test
    void partsBeyondTheIdempotencyLimitAreRejectedWithoutUsingTheKey() {
        String key = newKey();
        assertProblem(app.post("/api/upload").key(key)
            .body(upload("big.txt", "x".repeat(20 * 1024), "big"), CONTENT_TYPE).send(), 413,
                IdempotencyProblems.REQUEST_TOO_LARGE.toString());
        assertThat(executions("/api/upload", key, "alice")).isZero();
        assertThat(app.post("/api/upload").key(key).body(upload("a.txt", "fine", "small"), CONTENT_TYPE).send()
            .statusCode()).isEqualTo(201);
    }

    @Test
    void partsBeyondTheContainersLimitAreRejectedWithoutUsingTheKey() {
        String key = newKey();
        HttpResponse<byte[]> rejected = app.post("/api/upload").key(key)
            .body(upload("huge.txt", "x".repeat(40 * 1024), "huge"), CONTENT_TYPE).send();
        assertProblem(rejected, 413, IdempotencyProblems.REQUEST_TOO_LARGE.toString());
        assertThat(text(rejected)).as("refused by the container's limit").contains("accepts uploads");
        assertThat(executions("/api/upload", key, "alice")).isZero();
        assertThat(app.post("/api/upload").key(key).body(upload("a.txt", "fine", "small"), CONTENT_TYPE).send()
            .statusCode()).isEqualTo(201);
    }

    @Test
    void multipartTheContainerIsNotConfiguredToParseIsFingerprintedAsItsRawBody() {
        String[] redis = RunningApp.redis(TestRedis.newKeyPrefix());
        String[] properties = java.util.Arrays.copyOf(redis, redis.length + 1);
        properties[redis.length] = "spring.servlet.multipart.enabled=false";
        try (RunningApp unparsed = RunningApp.start(properties)) {
            String key = newKey();
            byte[] body = upload("report.txt", "quarterly figures", "first");
            HttpResponse<byte[]> first = unparsed.post("/api/raw").key(key).body(body, CONTENT_TYPE).send();
            HttpResponse<byte[]> retry = unparsed.post("/api/raw").key(key).body(body, CONTENT_TYPE).send();

            assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
            assertThat(text(first)).contains("\"size\":" + body.length);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(retry.body()).isEqualTo(first.body());
            assertProblem(unparsed.post("/api/raw").key(key)
                .body(upload("report.txt", "quarterly figurez", "first"), CONTENT_TYPE).send(), 422,
                    IdempotencyProblems.KEY_REUSED.toString());
            assertThat(executions("/api/raw", key, "alice")).isEqualTo(1);
        }
    }

    /** A form with a text file part and a plain field. */
    private static byte[] upload(String fileName, String content, String note) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String file = "--" + BOUNDARY + "\r\n" + "Content-Disposition: form-data; name=\"file\"; filename=\""
                + fileName + "\"\r\n" + "Content-Type: text/plain\r\n\r\n" + content + "\r\n";
        String field = "--" + BOUNDARY + "\r\n" + "Content-Disposition: form-data; name=\"note\"\r\n\r\n" + note
                + "\r\n";
        body.writeBytes(file.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(field.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }
}
