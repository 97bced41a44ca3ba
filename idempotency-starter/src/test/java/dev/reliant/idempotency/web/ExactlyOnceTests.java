package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.idempotency.app.Executions;
import dev.reliant.idempotency.app.Ledger;
import dev.reliant.idempotency.app.LedgerController;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an idempotent request whose handler writes to the database leaves behind, for every way the handler can end:
 * the key's outcome commits together with the handler's writes, and a retry runs the handler again only when nothing
 * of the first run committed. Decided by what the handler did, never by the class of a later exception.
 */
class ExactlyOnceTests {

    private static TestPostgres.Schema schema;

    private static HikariDataSource database;

    private static RunningApp app;

    @BeforeAll
    static void start() {
        schema = TestPostgres.newSchema();
        database = schema.dataSource(2);
        Ledger.createTable(database);
        app = RunningApp.start(RunningApp.redisAndDatabase(TestRedis.newKeyPrefix(), schema));
    }

    @AfterAll
    static void stop() {
        app.close();
        database.close();
    }

    @Test
    void outcomeCommitsWithTheHandlersWrites() {
        String ref = ref();
        String key = key();
        HttpResponse<byte[]> first = app.post("/ledger/entries").key(key).json(entry(ref)).send();
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(rows(ref)).isEqualTo(1);
        assertThat(JdbcClient.create(database)
            .sql("SELECT state FROM reliant_idempotency_outcome WHERE storage_key = ?")
            .param(ScopeResolvers.storageKey("user:alice", key))
            .query(String.class)
            .single()).isEqualTo("COMPLETED");

        HttpResponse<byte[]> retry = app.post("/ledger/entries").key(key).json(entry(ref)).send();
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(runs(ref)).isEqualTo(1);
    }

    @Test
    void handlerThatThrowsAfterWritingRollsBackAndReleasesTheKey() {
        assertRunsAgain("/ledger/throws/runtime?ref=%s", 500);
    }

    @Test
    void handlerThatAnswers5xxAfterWritingRollsBackAndReleasesTheKey() {
        assertRunsAgain("/ledger/answers/503?amount=1&ref=%s", 503);
    }

    @Test
    void handlerThatAnswers4xxAfterWritingKeepsItsWritesAndItsAnswer() {
        assertKept("/ledger/answers/409?amount=1&ref=%s", 409, 1, null);
    }

    @Test
    void handlerThatThrowsAClientErrorRollsBackAndItsRefusalIsReplayed() {
        assertKept("/ledger/throws/declined?ref=%s", 402, 0, null);
    }

    @Test
    void handlerThatThrowsABindExceptionAfterWritingDoesNotRunAgain() {
        assertKept("/ledger/throws/bind?ref=%s", 400, 0, null);
    }

    @Test
    void handlerThatThrowsARequestBindingExceptionAfterWritingDoesNotRunAgain() {
        assertKept("/ledger/throws/binding?ref=%s", 400, 0, null);
    }

    @Test
    void notAcceptableAfterTheHandlerReturnedKeepsTheOutcome() {
        assertKept("/ledger/json?ref=%s", 406, 1, "application/xml");
    }

    @Test
    void serializationFailureAfterTheHandlerReturnedKeepsTheOutcome() {
        assertKept("/ledger/unserializable?ref=%s", 500, 1, null);
    }

    @Test
    void requestsRefusedBeforeTheHandlerLeaveTheKeyFree() {
        assertFreeThenRuns("{\"ref\": ", "application/json");
        assertFreeThenRuns("{\"ref\": \"%s\", \"amount\": 0}", "application/json");
        assertFreeThenRuns("{\"ref\": \"%s\", \"amount\": \"many\"}", "application/json");
        assertFreeThenRuns("ref=%s&amount=1", "text/plain");
    }

    @Test
    void missingParameterAndTypeMismatchLeaveTheKeyFree() {
        String ref = ref();
        String key = key();
        assertThat(app.post("/ledger/answers/201?ref=" + ref).key(key).send().statusCode()).isEqualTo(400);
        assertThat(app.post("/ledger/answers/201?amount=lots&ref=" + ref).key(key).send().statusCode())
            .isEqualTo(400);
        assertThat(runs(ref)).isZero();
        assertThat(app.post("/ledger/answers/201?amount=1&ref=" + ref).key(key).send().statusCode()).isEqualTo(201);
        assertThat(runs(ref)).isEqualTo(1);
        assertThat(rows(ref)).isEqualTo(1);
    }

    @Test
    void applicationExceptionHandlerAnsweringBeforeTheHandlerLeavesTheKeyFree() {
        String ref = ref();
        String key = key();
        HttpResponse<byte[]> refused = app.post("/ledger/with-header?ref=" + ref).key(key).send();
        assertThat(refused.statusCode()).isEqualTo(422);
        HttpResponse<byte[]> corrected = app.post("/ledger/with-header?ref=" + ref)
            .key(key)
            .header("X-Account", "a-1")
            .send();
        assertThat(corrected.statusCode()).isEqualTo(200);
        assertThat(runs(ref)).isEqualTo(1);
        assertThat(rows(ref)).isEqualTo(1);
    }

    private static void assertRunsAgain(String pathFormat, int status) {
        String ref = ref();
        String key = key();
        String path = pathFormat.formatted(ref);
        assertThat(app.post(path).key(key).send().statusCode()).isEqualTo(status);
        assertThat(rows(ref)).as("the write rolled back").isZero();
        assertThat(app.post(path).key(key).send().statusCode()).isEqualTo(status);
        assertThat(runs(ref)).as("the key was released, so the retry ran").isEqualTo(2);
        assertThat(rows(ref)).isZero();
    }

    private static void assertKept(String pathFormat, int status, int rows, String accept) {
        String ref = ref();
        String key = key();
        String path = pathFormat.formatted(ref);
        RunningApp.Call call = app.post(path).key(key);
        if (accept != null) {
            call = call.header("Accept", accept);
        }
        HttpResponse<byte[]> first = call.send();
        assertThat(first.statusCode()).isEqualTo(status);
        assertThat(rows(ref)).isEqualTo(rows);

        RunningApp.Call again = app.post(path).key(key);
        if (accept != null) {
            again = again.header("Accept", accept);
        }
        HttpResponse<byte[]> retry = again.send();
        assertThat(retry.statusCode()).isEqualTo(status);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(runs(ref)).as("the handler ran once").isEqualTo(1);
        assertThat(rows(ref)).isEqualTo(rows);
    }

    private static void assertFreeThenRuns(String bodyFormat, String contentType) {
        String ref = ref();
        String key = key();
        HttpResponse<byte[]> refused = app.post("/ledger/entries")
            .key(key)
            .body((bodyFormat.contains("%s") ? bodyFormat.formatted(ref) : bodyFormat).getBytes(StandardCharsets.UTF_8),
                    contentType)
            .send();
        assertThat(refused.statusCode()).as(new String(refused.body(), StandardCharsets.UTF_8)).isBetween(400, 499);
        HttpResponse<byte[]> corrected = app.post("/ledger/entries").key(key).json(entry(ref)).send();
        assertThat(corrected.statusCode()).isEqualTo(201);
        assertThat(corrected.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(runs(ref)).isEqualTo(1);
        assertThat(rows(ref)).isEqualTo(1);
    }

    static String entry(String ref) {
        return "{\"ref\": \"" + ref + "\", \"amount\": 5}";
    }

    private static int rows(String ref) {
        return Ledger.count(database, ref);
    }

    private static int runs(String ref) {
        return Executions.count(LedgerController.executions(ref));
    }

    private static String ref() {
        return "ref-" + UUID.randomUUID();
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }
}
