package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 under load, in a loop. Each round, 8 clients place 120 orders with distinct keys against the packaged
 * sample; the process is killed at a random instant between 0.5 s and 4 s, started again on the same data, and every
 * order is retried with its key until it gets a final answer. Then every reference has exactly one confirmed order,
 * confirmed once, with one charge that is not refunded; the stock went down by exactly the quantities ordered; no saga
 * is left running or compensating; and every retry got its final answer within 10 s of the restarted application
 * being healthy.
 */
class SampleKillLoopIT {

    private static final int ROUNDS = Integer.getInteger("reliant.kill-loop.rounds", 10);

    private static final int CLIENTS = 8;

    private static final int ORDERS = 120;

    private static final int STOCK = 100_000;

    private static final Duration FINAL_ANSWER_BOUND = Duration.ofSeconds(10);

    @Test
    void everyOrderTakesEffectExactlyOnceWhateverInstantTheProcessDies() throws Exception {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        List<String> args = SampleProcess.onTestServers(schema, Files.createTempDirectory("sample-kill-loop-"));
        int port = SampleProcess.freePort();
        List<Long> finalAnswerMillis = new ArrayList<>();
        try (HikariDataSource database = schema.dataSource(2)) {
            JdbcTemplate jdbc = new JdbcTemplate(database);
            ChildJvm app = SampleProcess.start(port, args);
            try {
                for (int round = 1; round <= ROUNDS; round++) {
                    Round result = round(port, jdbc, app, args);
                    app = result.restarted();
                    finalAnswerMillis.add(result.healthyToLastAnswer().toMillis());
                    System.out.printf("kill round %d: killed after %d ms, %d orders sent before, last final answer "
                            + "%d ms after healthy%n", round, result.killedAfter().toMillis(), result.sentBefore(),
                            result.healthyToLastAnswer().toMillis());
                }
            }
            finally {
                app.stop();
            }
        }
        System.out.printf("kill loop: %d rounds, time from healthy to last final answer (ms): %s%n", ROUNDS,
                finalAnswerMillis);
    }

    private Round round(int port, JdbcTemplate jdbc, ChildJvm app, List<String> args) throws Exception {
        String sku = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        SampleClient alice = new SampleClient(port, "alice");
        assertThat(alice.putStock(sku, STOCK).statusCode()).isEqualTo(200);
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            String reference = sku + "-" + i;
            requests.add(new Request(UUID.randomUUID().toString(),
                    SampleClient.orderJson(sku, 1 + (i % 3), 1000 + i, reference), reference, 1 + (i % 3)));
        }

        Map<String, HttpResponse<String>> answeredBefore = new ConcurrentHashMap<>();
        AtomicBoolean dead = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> load = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            load.add(clients.submit(() -> {
                for (int i = client; i < requests.size() && !dead.get(); i += CLIENTS) {
                    Request request = requests.get(i);
                    try {
                        answeredBefore.put(request.reference(), alice.order(request.key(), request.json()));
                    }
                    catch (IllegalStateException connectionLost) {
                        return;
                    }
                }
            }));
        }
        long killAt = ThreadLocalRandom.current().nextLong(500, 4001);
        long started = System.nanoTime();
        await().pollDelay(Duration.ofMillis(killAt)).atMost(Duration.ofMillis(killAt + 1000)).until(() -> true);
        app.kill();
        dead.set(true);
        Duration killedAfter = Duration.ofNanos(System.nanoTime() - started);
        for (Future<?> future : load) {
            future.get();
        }

        ChildJvm restarted = SampleProcess.start(port, args);
        try {
            long healthy = System.nanoTime();
            Map<String, HttpResponse<String>> finalAnswers = new ConcurrentHashMap<>();
            Map<String, Long> answeredAt = new ConcurrentHashMap<>();
            List<Future<?>> retries = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                retries.add(clients.submit(() -> {
                    for (int i = client; i < requests.size(); i += CLIENTS) {
                        Request request = requests.get(i);
                        List<HttpResponse<String>> attempts = new ArrayList<>();
                        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                            HttpResponse<String> attempt = alice.order(request.key(), request.json());
                            attempts.add(attempt);
                            return attempt.statusCode() != 409 && attempt.statusCode() < 500;
                        });
                        finalAnswers.put(request.reference(), attempts.get(attempts.size() - 1));
                        answeredAt.put(request.reference(), System.nanoTime());
                    }
                }));
            }
            for (Future<?> future : retries) {
                future.get();
            }
            clients.shutdown();
            long lastAnswer = answeredAt.values().stream().mapToLong(Long::longValue).max().orElse(healthy);

            int ordered = 0;
            for (Request request : requests) {
                HttpResponse<String> answer = finalAnswers.get(request.reference());
                assertThat(answer.statusCode()).as("final answer for %s: %s", request.reference(), answer.body())
                    .isEqualTo(201);
                HttpResponse<String> before = answeredBefore.get(request.reference());
                if (before != null && before.statusCode() == 201) {
                    assertThat(answer.body()).as("the retry of an order answered before the kill replays it")
                        .isEqualTo(before.body());
                }
                ordered += request.quantity();
            }
            int expectedStock = STOCK - ordered;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_saga WHERE state IN ('RUNNING', "
                        + "'COMPENSATING')", Integer.class)).as("sagas left running or compensating").isZero();
                assertThat(jdbc.queryForObject("SELECT available FROM inventory WHERE sku = ?", Integer.class, sku))
                    .as("stock").isEqualTo(expectedStock);
            });
            Map<String, Integer> ordersByReference = new ConcurrentHashMap<>();
            jdbc.query("SELECT reference, count(*) AS n FROM customer_order WHERE sku = ? GROUP BY reference",
                    row -> {
                        ordersByReference.put(row.getString("reference"), row.getInt("n"));
                    }, sku);
            for (Request request : requests) {
                assertThat(ordersByReference.get(request.reference())).as("orders for %s", request.reference())
                    .isEqualTo(1);
            }
            assertThat(jdbc.queryForObject("SELECT count(*) FROM customer_order o JOIN payment_charge c"
                    + " ON c.id = o.charge_id WHERE o.sku = ? AND NOT c.refunded", Integer.class, sku))
                .as("orders with a charge that stands").isEqualTo(ORDERS);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM payment_charge c JOIN customer_order o"
                    + " ON o.reference = c.reference WHERE o.sku = ? AND NOT c.refunded", Integer.class, sku))
                .as("charges that stand, one per order").isEqualTo(ORDERS);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(jdbc.queryForList(
                    "SELECT confirmations_sent FROM customer_order WHERE sku = ?", Integer.class, sku))
                .as("confirmations per order")
                .hasSize(ORDERS)
                .containsOnly(1));

            Duration healthyToLastAnswer = Duration.ofNanos(Math.max(0, lastAnswer - healthy));
            assertThat(healthyToLastAnswer).as("time from healthy to the last final answer")
                .isLessThanOrEqualTo(FINAL_ANSWER_BOUND);
            return new Round(restarted, killedAfter, answeredBefore.size(), healthyToLastAnswer);
        }
        catch (Exception | AssertionError ex) {
            restarted.close();
            throw ex;
        }
    }

    private record Request(String key, String json, String reference, int quantity) {
    }

    private record Round(ChildJvm restarted, Duration killedAfter, int sentBefore, Duration healthyToLastAnswer) {
    }
}
