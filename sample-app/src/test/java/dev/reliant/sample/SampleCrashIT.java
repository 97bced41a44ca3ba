package dev.reliant.sample;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample, started as users start it, halted in the middle of an order and started again: the saga's
 * recovery gives the reserved stock back, no order exists, and a retry with the same key places the order once.
 * Without test server variables the app runs on its own embedded PostgreSQL and Redis, which the halt orphans and
 * the restart must clean up.
 */
class SampleCrashIT {

    @Test
    void orderInterruptedAfterReservingIsCompensatedAndCanBeRetried() throws IOException {
        Path dataDir = Files.createTempDirectory("sample-data-");
        List<String> args = arguments(dataDir);
        String sku = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        String key = UUID.randomUUID().toString();
        String order = SampleClient.orderJson(sku, 2, 3000, "crash-" + key);

        int port = SampleProcess.freePort();
        try (ChildJvm first = SampleProcess.start(port, args)) {
            SampleClient alice = new SampleClient(port, "alice");
            assertThat(alice.putStock(sku, 5).statusCode()).isEqualTo(200);
            try {
                alice.order(key, order, "X-Sample-Fault", "crash-after-reserve");
            }
            catch (IllegalStateException expected) {
                // the process halted while answering
            }
            assertThat(first.waitFor(60)).as(first.output()).isEqualTo(137);
        }

        try (ChildJvm second = SampleProcess.start(port, args)) {
            SampleClient alice = new SampleClient(port, "alice");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(
                    () -> assertThat(alice.stock(sku).body()).contains("\"available\":5"));
            assertThat(alice.get("/orders?reference=crash-" + key).body()).isEqualTo("[]");

            List<HttpResponse<String>> attempts = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<String> attempt = alice.order(key, order);
                attempts.add(attempt);
                return attempt.statusCode() != 409;
            });
            assertThat(attempts.get(attempts.size() - 1).statusCode()).as(second.output()).isEqualTo(201);
            assertThat(alice.order(key, order).headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(alice.stock(sku).body()).contains("\"available\":3");
            assertThat(alice.get("/orders?reference=crash-" + key).body()).contains("\"status\":\"CONFIRMED\"");
            second.stop();
        }
    }

    private static List<String> arguments(Path dataDir) {
        List<String> args = new ArrayList<>(List.of("--sample.faults.enabled=true", "--sample.data-dir=" + dataDir,
                "--reliant.saga.lease.duration=3s", "--reliant.saga.lease.renew-interval=1s",
                "--reliant.saga.recovery.interval=1s", "--reliant.idempotency.lease=3s"));
        if (System.getenv(TestPostgres.URL_ENV) != null) {
            TestPostgres.Schema schema = TestPostgres.newSchema();
            args.add("--spring.datasource.url=" + schema.jdbcUrl());
            args.add("--spring.datasource.username=" + schema.username());
            args.add("--spring.datasource.password=" + schema.password());
        }
        if (System.getenv(TestRedis.URL_ENV) != null) {
            TestRedis.Server redis = TestRedis.server();
            args.add("--spring.data.redis.host=" + redis.host());
            args.add("--spring.data.redis.port=" + redis.port());
            args.add("--reliant.idempotency.redis.key-prefix=" + TestRedis.newKeyPrefix());
        }
        return args;
    }
}
