package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The order API end to end over HTTP, on real PostgreSQL and Redis, and on RabbitMQ when the test servers name
 * one.
 */
class SampleApiTests {

    private static ConfigurableApplicationContext app;

    private static int port;

    private static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        app = SampleApp.start("--sample.faults.enabled=true", "--reliant.saga.recovery.interval=1s",
                "--reliant.saga.compensation.max-attempts=2", "--reliant.saga.compensation.initial-backoff=10ms");
        port = SampleApp.port(app);
        jdbc = app.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    SampleClient alice;

    String sku;

    @BeforeEach
    void stock() {
        alice = new SampleClient(port, "alice");
        sku = "sku-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(alice.putStock(sku, 10).statusCode()).isEqualTo(200);
    }

    @Test
    void placesAnOrderAndReplaysItForTheSameKey() {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> created = alice.order(key, SampleClient.orderJson(sku, 2, 5000, "r-" + key));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).contains("\"status\":\"CONFIRMED\"").contains("\"owner\":\"alice\"");
        String location = created.headers().firstValue("Location").orElseThrow();

        HttpResponse<String> replay = alice.order(key, SampleClient.orderJson(sku, 2, 5000, "r-" + key));
        assertThat(replay.statusCode()).isEqualTo(201);
        assertThat(replay.body()).isEqualTo(created.body());
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(replay.headers().firstValue("Location")).hasValue(location);

        assertThat(alice.get(location).statusCode()).isEqualTo(200);
        assertThat(alice.stock(sku).body()).contains("\"available\":8");
        assertThat(alice.get("/orders?reference=r-" + key).body()).contains(location.substring("/orders/".length()));
        assertThat(charges("r-" + key)).isEqualTo(1);
    }

    @Test
    void eachOrderIsConfirmedExactlyOnce() {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> created = alice.order(key, SampleClient.orderJson(sku, 1, 700, "conf-" + key));
        String location = created.headers().firstValue("Location").orElseThrow();
        assertThat(created.body()).contains("\"confirmationsSent\":0");
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(alice.get(location).body()).contains("\"confirmationsSent\":1"));
        await().during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(alice.get(location).body()).contains("\"confirmationsSent\":1"));
    }

    @Test
    void declinedPaymentIsReplayedAndTheStockComesBack() {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> declined = alice.order(key, SampleClient.orderJson(sku, 3, 100_001, "big-" + key));
        assertThat(declined.statusCode()).isEqualTo(402);
        assertThat(declined.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(alice.stock(sku).body()).contains("\"available\":10");

        HttpResponse<String> retry = alice.order(key, SampleClient.orderJson(sku, 3, 100_001, "big-" + key));
        assertThat(retry.statusCode()).isEqualTo(402);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(declined.body());
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
        assertThat(alice.get("/orders?reference=big-" + key).body()).isEqualTo("[]");
    }

    @Test
    void unavailablePaymentReleasesStockAndTheRetryRunsAgain() {
        String key = UUID.randomUUID().toString();
        String body = SampleClient.orderJson(sku, 4, 2000, "flaky-" + key);
        HttpResponse<String> unavailable = alice.order(key, body, "X-Sample-Fault", "payment-unavailable");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(alice.stock(sku).body()).contains("\"available\":10");

        HttpResponse<String> retry = alice.order(key, body);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(alice.stock(sku).body()).contains("\"available\":6");
        assertThat(charges("flaky-" + key)).isEqualTo(1);
    }

    @Test
    void stuckCompensationHoldsTheKeyInsteadOfReleasingIt() {
        String key = UUID.randomUUID().toString();
        String body = SampleClient.orderJson(sku, 2, 2000, "stuck-" + key);
        HttpResponse<String> failed = alice.order(key, body, "X-Sample-Fault", "stuck-compensation");
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(409);
        assertThat(failed.body()).contains("https://reliant.dev/problems/idempotency/compensation-pending");
        assertThat(alice.stock(sku).body()).as("the reservation was not released").contains("\"available\":8");

        HttpResponse<String> retry = alice.order(key, body);
        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(retry.body()).contains("https://reliant.dev/problems/idempotency/compensation-pending");
        assertThat(retry.headers().firstValue("Retry-After")).isPresent();
        assertThat(alice.stock(sku).body()).as("no second reservation").contains("\"available\":8");
        assertThat(alice.get("/orders?reference=stuck-" + key).body()).isEqualTo("[]");
    }

    @Test
    void answerThatCannotBeWrittenUndoesTheOrderAndIsReplayed() {
        String key = UUID.randomUUID().toString();
        String body = SampleClient.orderJson(sku, 2, 2000, "xml-" + key);
        HttpResponse<String> first = alice.order(key, body, "Accept", "application/xml");
        assertThat(first.statusCode()).isEqualTo(406);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> retry = alice.order(key, body, "Accept", "application/xml");
            assertThat(retry.statusCode()).isEqualTo(406);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        }
        assertThat(alice.get("/orders?reference=xml-" + key).body()).isEqualTo("[]");
        assertThat(charges("xml-" + key)).isZero();
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
    }

    @Test
    void notEnoughStockIsAConflictAndNothingIsCharged() {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> response = alice.order(key, SampleClient.orderJson(sku, 11, 100, "many-" + key));
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).contains("insufficient-stock");
        assertThat(charges("many-" + key)).isZero();
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
    }

    @Test
    void bobCannotSeeOrReplayAlicesOrders() {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> created = alice.order(key, SampleClient.orderJson(sku, 1, 100, "mine-" + key));
        String location = created.headers().firstValue("Location").orElseThrow();
        SampleClient bob = alice.as("bob");
        assertThat(bob.get(location).statusCode()).isEqualTo(404);
        assertThat(bob.get("/orders?reference=mine-" + key).body()).isEqualTo("[]");
        HttpResponse<String> bobsOwn = bob.order(key, SampleClient.orderJson(sku, 1, 100, "mine-" + key));
        assertThat(bobsOwn.statusCode()).isEqualTo(201);
        assertThat(bobsOwn.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(bobsOwn.body()).contains("\"owner\":\"bob\"");
    }

    @Test
    void badInputIsAProblemAndUsesNoKey() {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> malformed = alice.order(key, "{\"sku\":");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        HttpResponse<String> invalid = alice.order(key, SampleClient.orderJson(sku, 0, 100, "zero"));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(alice.order(key, SampleClient.orderJson(sku, 1, 100, "fixed-" + key)).statusCode())
            .isEqualTo(201);
        assertThat(alice.order(null, SampleClient.orderJson(sku, 1, 100, "nokey")).statusCode()).isEqualTo(400);
        assertThat(alice.get("/inventory/nope-" + key).statusCode()).isEqualTo(404);
        assertThat(new SampleClient(port, "mallory").get("/inventory/" + sku).statusCode()).isEqualTo(401);
    }

    private int charges(String reference) {
        return jdbc.sql("SELECT count(*) FROM payment_charge WHERE reference = ? AND NOT refunded")
            .param(reference)
            .query(Integer.class)
            .single();
    }
}
