package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.reliant.testsupport.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stand-in payment provider listens on a connector of its own, answers only its API client, refuses bad
 * charges, and the API gives up on it after its read timeout when it hangs. The API reaches the provider through
 * a {@link TcpProxy}, which the hang test turns into a black hole.
 */
class SamplePaymentProviderTests {

    private static ConfigurableApplicationContext app;

    private static TcpProxy toProvider;

    private static int port;

    private static int providerPort;

    private static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        providerPort = SampleApp.freePort();
        toProvider = TcpProxy.start("127.0.0.1", providerPort);
        app = SampleApp.start("--sample.payment.provider.port=" + providerPort,
                "--sample.payment.base-url=http://127.0.0.1:" + toProvider.port(),
                "--sample.payment.username=payments", "--sample.payment.password=payments-pass",
                "--sample.payment.read-timeout=1s");
        port = SampleApp.port(app);
        jdbc = app.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        app.close();
        toProvider.close();
    }

    SampleClient alice;

    SampleClient payments;

    String sku;

    @BeforeEach
    void stock() {
        alice = new SampleClient(port, "alice");
        payments = new SampleClient(providerPort, "payments");
        sku = "pay-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(alice.putStock(sku, 10).statusCode()).isEqualTo(200);
    }

    @Test
    void onlyThePaymentClientMayChargeOrRefund() {
        String id = UUID.randomUUID().toString();
        String charge = "{\"id\":\"" + id + "\",\"amountCents\":500,\"reference\":\"anon\"}";
        assertThat(SampleClient.anonymous(providerPort).post("/provider/charges", charge).statusCode())
            .isEqualTo(401);
        assertThat(new SampleClient(providerPort, "alice").post("/provider/charges", charge).statusCode())
            .isEqualTo(401);
        assertThat(SampleClient.anonymous(providerPort).post("/provider/charges/" + id + "/refund", "{}").statusCode())
            .isEqualTo(401);
        assertThat(chargesWithId(id)).isZero();

        assertThat(payments.post("/provider/charges", charge).statusCode()).isEqualTo(201);
        assertThat(new SampleClient(providerPort, "alice").post("/provider/charges/" + id + "/refund", "{}")
            .statusCode()).isEqualTo(401);
        assertThat(payments.post("/provider/charges/" + id + "/refund", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void theProviderRefusesChargesItCannotTakeAsGiven() {
        String id = UUID.randomUUID().toString();
        assertProblem(payments.post("/provider/charges", "{\"id\":\"" + id + "\",\"amountCents\":-500}"));
        assertProblem(payments.post("/provider/charges", "{\"id\":\"" + id + "\",\"amountCents\":0}"));
        assertProblem(payments.post("/provider/charges", "{\"id\":\"" + id + "\",\"amountCents\":5.5}"));
        assertProblem(payments.post("/provider/charges", "{\"id\":\"" + id + "\"}"));
        assertProblem(payments.post("/provider/charges", "{\"amountCents\":500}"));
        assertProblem(payments.post("/provider/charges", "{\"id\":\"" + "i".repeat(65) + "\",\"amountCents\":500}"));
        assertProblem(payments.post("/provider/charges",
                "{\"id\":\"" + id + "\",\"amountCents\":500,\"reference\":\"a\\u0000b\"}"));
        assertProblem(payments.post("/provider/charges/" + "i".repeat(65) + "/refund", "{}"));
        assertThat(chargesWithId(id)).isZero();
    }

    @Test
    void theProviderAndTheApiEachAnswerOnlyOnTheirOwnPort() {
        String charge = "{\"id\":\"" + UUID.randomUUID() + "\",\"amountCents\":500}";
        assertThat(new SampleClient(port, "payments").post("/provider/charges", charge).statusCode()).isEqualTo(404);
        assertThat(new SampleClient(providerPort, "alice").stock(sku).statusCode()).isEqualTo(404);
        assertThat(SampleClient.anonymous(providerPort).get("/actuator/health").statusCode()).isEqualTo(404);
    }

    @Test
    void aHungProviderCostsAnOrderItsReadTimeoutNotItsThread() {
        String key = UUID.randomUUID().toString();
        String order = SampleClient.orderJson(sku, 2, 800, "hung-" + key);
        toProvider.blackhole();
        Instant sent = Instant.now();
        HttpResponse<String> unavailable;
        try {
            unavailable = alice.order(key, order);
        }
        finally {
            toProvider.restore();
        }
        // the refund could not reach the provider either, so the order is not undone: its key stays held
        assertThat(unavailable.statusCode()).as(unavailable.body()).isEqualTo(409);
        assertThat(unavailable.body()).contains("https://reliant.dev/problems/idempotency/compensation-pending");
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        // one charge and the refund's attempts, each given up after the 1 s read timeout, plus the backoff
        assertThat(Duration.between(sent, Instant.now())).isLessThan(Duration.ofSeconds(30));

        // the refund could not reach the provider either: the operator retries the saga once it is back
        String sagaId = jdbc.sql("SELECT id FROM reliant_saga WHERE state = 'STUCK' ORDER BY created_at DESC LIMIT 1")
            .query(String.class)
            .single();
        assertThat(alice.as("ops").post("/actuator/sagas/" + sagaId, "{\"action\":\"retry\"}").statusCode())
            .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(alice.stock(sku).body()).contains("\"available\":10"));
        assertThat(jdbc.sql("SELECT count(*) FROM payment_charge WHERE reference = ? AND NOT refunded")
            .param("hung-" + key)
            .query(Integer.class)
            .single()).isZero();

        // the key is released only by an operator, once the order is known to be undone; then the retry runs
        assertThat(alice.order(key, order).statusCode()).isEqualTo(409);
        assertThat(alice.as("ops").delete("/actuator/idempotency/user:alice/" + key).statusCode()).isEqualTo(200);
        assertThat(alice.order(key, order).statusCode()).isEqualTo(201);
        assertThat(alice.stock(sku).body()).contains("\"available\":8");
    }

    private static void assertProblem(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    private int chargesWithId(String id) {
        return jdbc.sql("SELECT count(*) FROM payment_charge WHERE id = ?").param(id).query(Integer.class).single();
    }
}
