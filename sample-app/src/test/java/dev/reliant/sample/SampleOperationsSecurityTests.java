package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starters' operations endpoints and health details belong to operators: ordinary users get 403, anonymous
 * callers 401, and health's status stays public for probes.
 */
class SampleOperationsSecurityTests {

    private static ConfigurableApplicationContext app;

    private static int port;

    private static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        app = SampleApp.start("--sample.faults.enabled=true");
        port = SampleApp.port(app);
        jdbc = app.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    SampleClient alice;

    SampleClient bob;

    SampleClient ops;

    String sku;

    @BeforeEach
    void stock() {
        alice = new SampleClient(port, "alice");
        bob = alice.as("bob");
        ops = alice.as("ops");
        sku = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(alice.putStock(sku, 10).statusCode()).isEqualTo(200);
    }

    @Test
    void anOrdinaryUserCannotEvictAnotherUsersKey() {
        String key = UUID.randomUUID().toString();
        String order = SampleClient.orderJson(sku, 1, 900, "evict-" + key);
        assertThat(bob.order(key, order).statusCode()).isEqualTo(201);

        assertThat(alice.delete("/actuator/idempotency/user:bob/" + key).statusCode()).isEqualTo(403);
        assertThat(alice.get("/actuator/idempotency/user:bob/" + key).statusCode()).isEqualTo(403);
        assertThat(bob.delete("/actuator/idempotency/user:bob/" + key).statusCode()).isEqualTo(403);
        assertThat(SampleClient.anonymous(port).delete("/actuator/idempotency/user:bob/" + key).statusCode())
            .isEqualTo(401);

        HttpResponse<String> retry = bob.order(key, order);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(jdbc.sql("SELECT count(*) FROM payment_charge WHERE reference = ? AND NOT refunded")
            .param("evict-" + key)
            .query(Integer.class)
            .single()).isEqualTo(1);
    }

    @Test
    void anOrdinaryUserCannotListOrActOnSagas() {
        String key = UUID.randomUUID().toString();
        assertThat(bob.order(key, SampleClient.orderJson(sku, 1, 900, "saga-" + key), "X-Sample-Fault",
                "payment-unavailable").statusCode()).isEqualTo(503);
        String sagaId = jdbc.sql("SELECT id FROM reliant_saga LIMIT 1")
            .query(String.class)
            .single();

        assertThat(alice.get("/actuator/sagas?state=COMPENSATED").statusCode()).isEqualTo(403);
        assertThat(alice.get("/actuator/sagas/" + sagaId).statusCode()).isEqualTo(403);
        assertThat(alice.post("/actuator/sagas/" + sagaId, "{\"action\":\"resolve\"}").statusCode()).isEqualTo(403);
        assertThat(alice.post("/actuator/sagas/" + sagaId, "{\"action\":\"retry\"}").statusCode()).isEqualTo(403);
        assertThat(alice.get("/actuator/metrics").statusCode()).isEqualTo(403);
        assertThat(alice.get("/actuator").statusCode()).isEqualTo(403);
        assertThat(SampleClient.anonymous(port).get("/actuator/sagas").statusCode()).isEqualTo(401);
    }

    @Test
    void theOperatorReachesTheOperationsEndpointsButPlacesNoOrders() {
        String key = UUID.randomUUID().toString();
        String order = SampleClient.orderJson(sku, 1, 900, "operated-" + key);
        assertThat(bob.order(key, order).statusCode()).isEqualTo(201);

        HttpResponse<String> record = ops.get("/actuator/idempotency/user:bob/" + key);
        assertThat(record.statusCode()).isEqualTo(200);
        assertThat(record.body()).contains("\"state\":\"COMPLETED\"");
        assertThat(ops.get("/actuator/sagas?state=COMPLETED").statusCode()).isEqualTo(200);
        assertThat(ops.get("/actuator/metrics").statusCode()).isEqualTo(200);
        assertThat(ops.delete("/actuator/idempotency/user:bob/" + key).body()).contains("\"evicted\":true");

        assertThat(ops.order(UUID.randomUUID().toString(), order).statusCode()).isEqualTo(403);
    }

    @Test
    void healthStatusIsPublicAndItsDetailsAreTheOperators() {
        HttpResponse<String> anonymous = SampleClient.anonymous(port).get("/actuator/health");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.body()).contains("\"status\":\"UP\"").doesNotContain("components");
        assertThat(SampleClient.anonymous(port).get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(SampleClient.anonymous(port).get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        HttpResponse<String> user = alice.get("/actuator/health");
        assertThat(user.statusCode()).isEqualTo(200);
        assertThat(user.body()).contains("\"status\":\"UP\"").doesNotContain("components");

        HttpResponse<String> operator = ops.get("/actuator/health");
        assertThat(operator.statusCode()).isEqualTo(200);
        assertThat(operator.body()).contains("\"components\"").contains("\"idempotencyStore\"").contains("\"saga\"");
    }
}
