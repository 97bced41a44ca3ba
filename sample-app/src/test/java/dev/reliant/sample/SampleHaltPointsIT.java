package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's halt faults, each hitting one window deterministically: the packaged app halts right after an order
 * committed ({@code crash-after-commit}) or in the middle of a failed order's compensation
 * ({@code crash-in-compensation}), is started again on the same data, and the order's retry is answered as if
 * nothing had happened in between.
 */
class SampleHaltPointsIT {

    private TestPostgres.Schema schema;

    private HikariDataSource database;

    private JdbcTemplate jdbc;

    private List<String> args;

    private int port;

    @BeforeEach
    void setUp() throws Exception {
        schema = TestPostgres.newSchema();
        database = schema.dataSource(2);
        jdbc = new JdbcTemplate(database);
        args = SampleProcess.onTestServers(schema, Files.createTempDirectory("sample-halt-"),
                "--sample.faults.enabled=true");
        port = SampleProcess.freePort();
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @Test
    void orderHaltedAfterItsCommitIsGivenBackOnRetry() {
        String sku = "halt-" + UUID.randomUUID().toString().substring(0, 8);
        String key = UUID.randomUUID().toString();
        String reference = "commit-" + key;
        String order = SampleClient.orderJson(sku, 2, 3000, reference);
        try (ChildJvm first = SampleProcess.start(port, args)) {
            SampleClient alice = new SampleClient(port, "alice");
            assertThat(alice.putStock(sku, 5).statusCode()).isEqualTo(200);
            haltWith(alice, key, order, "crash-after-commit");
            assertThat(first.waitFor(60)).as(first.output()).isEqualTo(137);
        }
        assertThat(orders(reference)).as("the order committed before the halt").isEqualTo(1);

        try (ChildJvm second = SampleProcess.start(port, args)) {
            SampleClient alice = new SampleClient(port, "alice");
            HttpResponse<String> retry = retryUntilAnswered(alice, key, order);
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(orders(reference)).isEqualTo(1);
            assertThat(standingCharges(reference)).isEqualTo(1);
            assertThat(available(sku)).isEqualTo(3);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                    "SELECT confirmations_sent FROM customer_order WHERE reference = ?", Integer.class, reference))
                .isEqualTo(1));
            assertThat(jdbc.queryForList("SELECT state FROM reliant_saga", String.class))
                .as("the order's saga completed with it").containsExactly("COMPLETED");
            second.stop();
        }
    }

    @Test
    void orderHaltedInItsCompensationEndsCompensatedAndItsRetryOrdersAfresh() {
        String sku = "halt-" + UUID.randomUUID().toString().substring(0, 8);
        String key = UUID.randomUUID().toString();
        String reference = "compensation-" + key;
        String order = SampleClient.orderJson(sku, 2, 3000, reference);
        try (ChildJvm first = SampleProcess.start(port, args)) {
            SampleClient alice = new SampleClient(port, "alice");
            assertThat(alice.putStock(sku, 5).statusCode()).isEqualTo(200);
            haltWith(alice, key, order, "crash-in-compensation");
            assertThat(first.waitFor(60)).as(first.output()).isEqualTo(137);
        }
        assertThat(available(sku)).as("the reservation was not released before the halt").isEqualTo(3);

        try (ChildJvm second = SampleProcess.start(port, args)) {
            long healthy = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_saga WHERE state <> 'COMPENSATED'"
                        + " AND state <> 'COMPLETED'", Integer.class)).isZero();
                assertThat(available(sku)).isEqualTo(5);
            });
            Duration recovered = Duration.ofNanos(System.nanoTime() - healthy);
            assertThat(recovered).as("compensated within the recovery bound").isLessThanOrEqualTo(Duration.ofSeconds(15));
            assertThat(orders(reference)).isZero();
            assertThat(standingCharges(reference)).isZero();

            SampleClient alice = new SampleClient(port, "alice");
            HttpResponse<String> retry = retryUntilAnswered(alice, key, order);
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
            assertThat(orders(reference)).isEqualTo(1);
            assertThat(standingCharges(reference)).isEqualTo(1);
            assertThat(available(sku)).isEqualTo(3);
            second.stop();
        }
    }

    private static void haltWith(SampleClient alice, String key, String order, String fault) {
        try {
            HttpResponse<String> answered = alice.order(key, order, "X-Sample-Fault", fault);
            throw new AssertionError("The sample answered instead of halting: " + answered.statusCode() + " "
                    + answered.body());
        }
        catch (IllegalStateException expected) {
            // the process halted while answering
        }
    }

    private static HttpResponse<String> retryUntilAnswered(SampleClient alice, String key, String order) {
        List<HttpResponse<String>> attempts = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> attempt = alice.order(key, order);
            attempts.add(attempt);
            return attempt.statusCode() != 409;
        });
        return attempts.get(attempts.size() - 1);
    }

    private int orders(String reference) {
        return jdbc.queryForObject("SELECT count(*) FROM customer_order WHERE reference = ?", Integer.class,
                reference);
    }

    private int standingCharges(String reference) {
        return jdbc.queryForObject("SELECT count(*) FROM payment_charge WHERE reference = ? AND NOT refunded",
                Integer.class, reference);
    }

    private int available(String sku) {
        return jdbc.queryForObject("SELECT available FROM inventory WHERE sku = ?", Integer.class, sku);
    }
}
