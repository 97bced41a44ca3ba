package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.reliant.idempotency.IdempotencyProblems;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.testsupport.TcpProxy;
import dev.reliant.testsupport.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import static dev.reliant.idempotency.app.RunningApp.text;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.assertProblem;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.executions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis going away mid-run, through a proxy the test cuts (the shared server itself is never stopped).
 */
class StoreOutageTests {

    /** Generous on a loaded machine, yet far below Lettuce's own 60-second command timeout. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    @Test
    void failsClosedWithinTheTimeLimitAndRecovers() {
        try (TcpProxy proxy = proxyToRedis(); RunningApp app = start(proxy, "FAIL_CLOSED")) {
            assertThat(app.post("/api/orders").key(UUID.randomUUID().toString()).json("{}").send().statusCode())
                .isEqualTo(201);

            proxy.blackhole();
            String hung = UUID.randomUUID().toString();
            long started = System.nanoTime();
            HttpResponse<byte[]> response = app.post("/api/orders").key(hung).json("{}").send();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND);
            assertProblem(response, 503, IdempotencyProblems.STORE_UNAVAILABLE.toString());
            assertThat(response.headers().firstValue("Retry-After")).hasValue("5");

            proxy.cut();
            String down = UUID.randomUUID().toString();
            for (int i = 0; i < 6; i++) {
                assertProblem(app.post("/api/orders").key(down).json("{}").send(), 503,
                        IdempotencyProblems.STORE_UNAVAILABLE.toString());
            }
            assertThat(executions("/api/orders", hung, "alice")).isZero();
            assertThat(executions("/api/orders", down, "alice")).isZero();
            assertThat(text(app.get("/actuator/health").anonymous().send())).contains("DOWN");

            proxy.restore();
            List<HttpResponse<byte[]>> attempts = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<byte[]> attempt = app.post("/api/orders").key(down).json("{}").send();
                attempts.add(attempt);
                return attempt.statusCode() == 201;
            });
            assertThat(executions("/api/orders", down, "alice")).isEqualTo(1);
            assertThat(app.post("/api/orders").key(down).json("{}").send().headers()
                .firstValue("Idempotent-Replayed")).hasValue("true");
        }
    }

    @Test
    void failOpenRunsTheRequestUnprotected() {
        try (TcpProxy proxy = proxyToRedis(); RunningApp app = start(proxy, "FAIL_OPEN")) {
            String protectedKey = UUID.randomUUID().toString();
            assertThat(app.post("/api/orders").key(protectedKey).json("{}").send().statusCode()).isEqualTo(201);
            assertThat(app.post("/api/orders").key(protectedKey).json("{}").send().headers()
                .firstValue("Idempotent-Replayed")).as("protected while the store is up").hasValue("true");
            proxy.cut();
            String key = UUID.randomUUID().toString();
            HttpResponse<byte[]> response = app.post("/api/orders").key(key).json("{}").send();
            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(executions("/api/orders", key, "alice")).isEqualTo(1);
            MeterRegistry meters = app.context().getBean(MeterRegistry.class);
            assertThat(meters.get("reliant.idempotency.requests").tag("outcome", "store_unavailable").counter()
                .count()).as("run unprotected because the store was down").isEqualTo(1);
        }
    }

    private static TcpProxy proxyToRedis() {
        TestRedis.Server redis = TestRedis.server();
        return TcpProxy.start(redis.host(), redis.port());
    }

    private static RunningApp start(TcpProxy proxy, String failureMode) {
        String[] redis = RunningApp.redis(TestRedis.newKeyPrefix());
        List<String> properties = new ArrayList<>(List.of(redis));
        properties.add("spring.data.redis.port=" + proxy.port());
        properties.add("reliant.idempotency.failure-mode=" + failureMode);
        properties.add("resilience4j.timelimiter.instances.reliant-idempotency.timeout-duration=500ms");
        properties.add("resilience4j.circuitbreaker.instances.reliant-idempotency.sliding-window-size=4");
        properties.add("resilience4j.circuitbreaker.instances.reliant-idempotency.minimum-number-of-calls=4");
        properties.add("resilience4j.circuitbreaker.instances.reliant-idempotency.wait-duration-in-open-state=1s");
        properties.add("management.endpoint.health.show-details=always");
        return RunningApp.start(properties.toArray(String[]::new));
    }
}
