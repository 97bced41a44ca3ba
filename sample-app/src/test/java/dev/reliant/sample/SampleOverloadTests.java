package dev.reliant.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three hundred orders at once, more than the server has worker threads: each is answered within the client's
 * timeout (created, or shed with a 503 and {@code Retry-After}), health answers throughout, and the stock taken
 * equals the orders created. With the provider served by the API's own worker pool, the orders' provider calls
 * queued behind the orders themselves and the process never recovered.
 */
class SampleOverloadTests {

    private static final int ORDERS = 300;

    private static final Duration ORDER_TIMEOUT = Duration.ofSeconds(30);

    /** Three hundred connections at once can overflow the listen backlog; the kernel's SYN retries take seconds. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** Generous: on a loaded machine a healthy probe takes up to seconds, a starved one never answers. */
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(10);

    private static final int WARM_UP_ORDERS = 5;

    private static final int STOCK = 1_000;

    private static ConfigurableApplicationContext app;

    private static int port;

    private static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        app = SampleApp.start();
        port = SampleApp.port(app);
        jdbc = app.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void everyOrderIsAnsweredHealthStaysUpAndStockMatchesTheOrders() throws Exception {
        String sku = "load-" + UUID.randomUUID().toString().substring(0, 8);
        SampleClient alice = new SampleClient(port, "alice");
        assertThat(alice.putStock(sku, STOCK).statusCode()).isEqualTo(200);

        HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
        String credentials = "Basic "
                + Base64.getEncoder().encodeToString("alice:alice-pass".getBytes(StandardCharsets.UTF_8));
        String body = SampleClient.orderJson(sku, 1, 100, sku);
        // a running service, not one whose code paths are still being loaded and compiled
        for (int i = 0; i < WARM_UP_ORDERS; i++) {
            assertThat(alice.order(UUID.randomUUID().toString(), body).statusCode()).isEqualTo(201);
        }
        assertThat(SampleClient.anonymous(port).get("/actuator/health").statusCode()).isEqualTo(200);

        AtomicBoolean loading = new AtomicBoolean(true);
        List<String> healthAnswers = new CopyOnWriteArrayList<>();
        ExecutorService prober = Executors.newSingleThreadExecutor();
        prober.submit(() -> {
            // a probe is a client of its own, as a load balancer's or Kubernetes' is
            HttpClient probe = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(HEALTH_TIMEOUT)
                .build();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(HEALTH_TIMEOUT)
                .build();
            while (loading.get()) {
                long started = System.nanoTime();
                String answer;
                try {
                    answer = String.valueOf(probe.send(health, HttpResponse.BodyHandlers.discarding()).statusCode());
                }
                catch (Exception ex) {
                    answer = ex.toString();
                }
                healthAnswers.add(answer + " in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
            }
            return null;
        });

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < ORDERS; i++) {
                HttpRequest order = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders"))
                    .timeout(ORDER_TIMEOUT)
                    .header("Authorization", credentials)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", UUID.randomUUID().toString())
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
                answers.add(http.sendAsync(order, HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .exceptionally(ex -> null)
                .get(CONNECT_TIMEOUT.plus(ORDER_TIMEOUT).toSeconds() + 5, TimeUnit.SECONDS);
        }
        finally {
            loading.set(false);
            prober.shutdown();
            assertThat(prober.awaitTermination(HEALTH_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)).isTrue();
        }

        int created = 0;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            assertThat(answer).as("every order is answered within its timeouts").isCompleted()
                .isNotCompletedExceptionally();
            HttpResponse<String> response = answer.join();
            assertThat(response.statusCode()).as(response.body()).isIn(201, 429, 503);
            if (response.statusCode() == 201) {
                created++;
            }
            else {
                assertThat(response.headers().firstValue("Retry-After")).as(response.body()).isPresent();
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            }
        }
        assertThat(created).isPositive();
        assertThat(healthAnswers).isNotEmpty().allMatch(answer -> answer.startsWith("200 "));
        int placed = WARM_UP_ORDERS + created;
        assertThat(alice.stock(sku).body()).contains("\"available\":" + (STOCK - placed));
        assertThat(jdbc.sql("SELECT count(*) FROM customer_order WHERE reference = ?").param(sku)
            .query(Integer.class).single()).isEqualTo(placed);
        assertThat(jdbc.sql("SELECT count(*) FROM payment_charge WHERE reference = ? AND NOT refunded").param(sku)
            .query(Integer.class).single()).isEqualTo(placed);
    }
}
