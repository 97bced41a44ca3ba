package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

import dev.reliant.sample.inventory.InventoryService;
import dev.reliant.sample.messaging.OrderEvents;
import dev.reliant.sample.payment.PaymentClient;
import dev.reliant.saga.DurableCompensation;
import dev.reliant.test.ReliantTest;
import dev.reliant.test.idempotency.DuplicateResponses;
import dev.reliant.test.idempotency.IdempotencyProbe;
import dev.reliant.test.outbox.OutboxMessages;
import dev.reliant.test.outbox.WrittenMessage;
import dev.reliant.test.saga.SagaRun;
import dev.reliant.test.saga.SagaScenario;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The order API's guarantees checked with the test kit. {@code @ReliantTest} gives it an embedded PostgreSQL of
 * its own; the idempotency store stays the production one, Redis, which the test configures.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "sample.embedded-servers.enabled=false", "reliant.idempotency.store=redis",
                "sample.faults.enabled=true", "sample.api.concurrency.max-requests=20" })
@ReliantTest
class SampleReliantKitTests {

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        TestRedis.Server redis = TestRedis.server();
        registry.add("spring.data.redis.host", redis::host);
        registry.add("spring.data.redis.port", redis::port);
        registry.add("reliant.idempotency.redis.key-prefix", TestRedis::newKeyPrefix);
    }

    @LocalServerPort
    int port;

    @Autowired
    IdempotencyProbe probe;

    @Autowired
    OutboxMessages outbox;

    @Autowired
    SagaScenario scenario;

    @Autowired
    InventoryService inventory;

    @Autowired
    PaymentClient payments;

    @Autowired
    JdbcClient jdbc;

    SampleClient alice;

    String sku;

    @BeforeEach
    void stock() {
        alice = new SampleClient(port, "alice");
        sku = "sku-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(alice.putStock(sku, 10).statusCode()).isEqualTo(200);
    }

    @Test
    void twentyConcurrentDuplicatesMakeOneOrder() {
        String reference = "dup-" + UUID.randomUUID();
        DuplicateResponses responses = probe.duplicates(20)
            .header("Authorization", basic("alice"))
            .header("X-Sample-Fault", "slow:300")
            .post("/orders", SampleClient.orderJson(sku, 1, 1000, reference))
            .assertHandledOnce();

        assertThat(responses.original().statusCode()).isEqualTo(201);
        assertThat(jdbc.sql("SELECT count(*) FROM customer_order WHERE reference = ?").param(reference)
            .query(Integer.class).single()).isEqualTo(1);
        assertThat(alice.stock(sku).body()).contains("\"available\":9");
        assertThat(charges(reference)).isEqualTo(1);
    }

    @Test
    void aPlacedOrderWritesOneEventThatIsRelayedAndConfirmedOnce() {
        HttpResponse<String> created = alice.order(UUID.randomUUID().toString(),
                SampleClient.orderJson(sku, 2, 5000, "event-" + sku));
        assertThat(created.statusCode()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();
        String orderId = location.substring("/orders/".length());

        WrittenMessage event = outbox.written().to(OrderEvents.DESTINATION).withKey(orderId)
            .ofType(OrderEvents.ORDER_CREATED).single();
        assertThat(event.payload()).contains("\"reference\":\"event-" + sku + "\"");
        outbox.written().withId(event.id()).awaitRelayed();

        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(alice.get(location).body()).contains("\"confirmationsSent\":1"));
    }

    @Test
    void aCrashAfterTheChargeReleasesTheStockAndRefundsTheChargeOnce() {
        String reservationId = UUID.randomUUID().toString();
        String chargeId = UUID.randomUUID().toString();
        String reference = "crash-" + sku;

        SagaRun run = scenario.crashAfter("charge-payment").run("place-order", saga -> {
            saga.step("reserve-stock", () -> inventory.reserve(reservationId, sku, 3),
                    DurableCompensation.of("release-stock", reservationId));
            saga.step("charge-payment", () -> payments.charge(chargeId, 700, reference, false),
                    DurableCompensation.of("refund-payment", chargeId));
        });

        run.assertCompensatedOnce();
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
        assertThat(charges(reference)).isZero();
    }

    private int charges(String reference) {
        return jdbc.sql("SELECT count(*) FROM payment_charge WHERE reference = ? AND NOT refunded")
            .param(reference)
            .query(Integer.class)
            .single();
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder()
            .encodeToString((user + ":" + user + "-pass").getBytes(StandardCharsets.UTF_8));
    }

}
