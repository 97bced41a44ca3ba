package dev.reliant.idempotency.jpa;

import java.net.http.HttpResponse;
import java.util.UUID;

import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.idempotency.web.ScopeResolvers;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durable outcome in a Spring Data JPA application: the handler's entity, inserted by Hibernate only when it
 * flushes, and the request's outcome commit in one {@link JpaTransactionManager} transaction, or neither does.
 */
class JpaOutcomeTests {

    private static TestPostgres.Schema schema;

    private static RunningApp app;

    private static JdbcTemplate jdbc;

    @BeforeAll
    static void start() {
        schema = TestPostgres.newSchema();
        String[] base = RunningApp.redisAndDatabase(TestRedis.newKeyPrefix(), schema);
        String[] properties = java.util.Arrays.copyOf(base, base.length + 2);
        properties[base.length] = "spring.jpa.hibernate.ddl-auto=create";
        properties[base.length + 1] = "spring.jpa.open-in-view=false";
        app = RunningApp.start(JpaPaymentsApplication.class, properties);
        jdbc = app.context().getBean(JdbcTemplate.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void entityAndOutcomeCommitTogetherAndTheRetryIsReplayed() {
        assertThat(app.context().getBean(PlatformTransactionManager.class)).isInstanceOf(JpaTransactionManager.class);
        String key = UUID.randomUUID().toString();
        String reference = UUID.randomUUID().toString();
        HttpResponse<byte[]> first = pay(key, reference, false);
        HttpResponse<byte[]> retry = pay(key, reference, false);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(payments(reference)).isOne();
        assertThat(outcomes(key)).isOne();
    }

    @Test
    void handlerThatThrowsAfterSavingLeavesNeitherAndItsKeyRunsAgain() {
        String key = UUID.randomUUID().toString();
        String reference = UUID.randomUUID().toString();
        assertThat(pay(key, reference, true).statusCode()).isEqualTo(500);
        assertThat(payments(reference)).isZero();
        assertThat(outcomes(key)).isZero();
        assertThat(pay(key, reference, true).statusCode()).as("released, so the retry runs").isEqualTo(500);
    }

    @Test
    void insertThatFailsAtTheDeferredFlushIsAFailureOfTheHandlerNotAnUnknownOutcome() {
        String reference = UUID.randomUUID().toString();
        assertThat(pay(UUID.randomUUID().toString(), reference, false).statusCode()).isEqualTo(201);

        String key = UUID.randomUUID().toString();
        HttpResponse<byte[]> duplicate = pay(key, reference, false);
        assertThat(duplicate.statusCode()).as(new String(duplicate.body())).isEqualTo(500);
        assertThat(outcomes(key)).isZero();
        assertThat(payments(reference)).isOne();
        HttpResponse<byte[]> retry = pay(key, reference, false);
        assertThat(retry.statusCode()).as("released at once, not held until its lease lapses").isEqualTo(500);
    }

    private static HttpResponse<byte[]> pay(String key, String reference, boolean failAfterSaving) {
        return app.post("/payments?reference=" + reference + "&amountCents=1500&failAfterSaving=" + failAfterSaving)
            .key(key)
            .send();
    }

    private static int payments(String reference) {
        return jdbc.queryForObject("SELECT count(*) FROM payment WHERE reference = ?", Integer.class, reference);
    }

    private static int outcomes(String key) {
        return jdbc.queryForObject("SELECT count(*) FROM reliant_idempotency_outcome WHERE storage_key = ?",
                Integer.class, ScopeResolvers.storageKey("user:alice", key));
    }
}
