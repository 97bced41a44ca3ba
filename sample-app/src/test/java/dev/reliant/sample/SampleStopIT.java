package dev.reliant.sample;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.reliant.testsupport.ChildJvm;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample on its own embedded PostgreSQL and Redis, stopped as a service manager stops it: SIGTERM.
 * Everything that uses the servers (web server, relay and its notification listener, saga recovery, leases,
 * connection pools) stops before the servers do, so the stop prints no warning, no error and no stack trace, and
 * leaves no server process behind. What the sample starts, and what it cleans up after a killed run, it names.
 */
class SampleStopIT {

    private static final Duration STOP_BOUND = Duration.ofSeconds(30);

    private static final int SIGTERM_EXIT = 143;

    private static final Pattern BAD_LINE = Pattern.compile(" ERROR | WARN |Exception|^\tat ");

    @Test
    void sigtermAfterWorkStopsQuietlyWithinTheBoundAndLeavesNoServerRunning() throws IOException {
        Path dataDir = Files.createTempDirectory("sample-stop-");
        int port = SampleProcess.freePort();
        ChildJvm app = SampleProcess.start(port, List.of("--sample.data-dir=" + dataDir));
        try {
            String startLog = app.output();
            long postgres = pid(dataDir.resolve("postgres/postmaster.pid"));
            long redis = pid(dataDir.resolve("redis/redis.pid"));

            placeOrdersAndAwaitTheirConfirmations(port);

            int before = app.output().length();
            long stopRequested = System.nanoTime();
            app.terminate();
            await().atMost(STOP_BOUND.plusSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> !app.isAlive());
            Duration stopTook = Duration.ofNanos(System.nanoTime() - stopRequested);
            String stopLog = app.output().substring(before);

            List<String> bad = stopLog.lines().filter((line) -> BAD_LINE.matcher(line).find()).toList();
            System.out.printf("sample stop: SIGTERM to exit %d ms, %d warning, error and stack trace lines%n",
                    stopTook.toMillis(), bad.size());
            SoftAssertions.assertSoftly((softly) -> {
                softly.assertThat(bad)
                    .as("warnings, errors and stack trace lines printed by the stop (%d):%n%s", bad.size(), stopLog)
                    .isEmpty();
                softly.assertThat(stopTook).as("time from SIGTERM to exit").isLessThanOrEqualTo(STOP_BOUND);
                softly.assertThat(app.waitFor(0)).as("exit code of a SIGTERM stop").isEqualTo(SIGTERM_EXIT);
                softly.assertThat(ProcessHandle.of(postgres).filter(ProcessHandle::isAlive))
                    .as("the embedded PostgreSQL after the stop")
                    .isEmpty();
                softly.assertThat(ProcessHandle.of(redis).filter(ProcessHandle::isAlive))
                    .as("the embedded Redis after the stop")
                    .isEmpty();
                softly.assertThat(stopLog)
                    .as("the servers stop after the connection pool closed:%n%s", stopLog)
                    .containsPattern("(?s)HikariPool-\\d+ - Shutdown completed.*Stopped the embedded PostgreSQL")
                    .containsPattern("(?s)HikariPool-\\d+ - Shutdown completed.*Stopped the embedded Redis");
                softly.assertThat(startLog)
                    .as("the start's log:%n%s", startLog)
                    .containsPattern("INFO .* Started the embedded PostgreSQL on port \\d+ with data in "
                            + Pattern.quote(dataDir.resolve("postgres").toString()))
                    .containsPattern("INFO .* Started the embedded Redis on port \\d+ with data in "
                            + Pattern.quote(dataDir.resolve("redis").toString()));
            });
        }
        finally {
            // a stop, not a kill, so that a failed assertion leaves no servers behind
            app.stop();
        }
    }

    @Test
    void serversLeftRunningByAKilledRunAreStoppedAndNamed() throws IOException {
        Path dataDir = Files.createTempDirectory("sample-leftovers-");
        List<String> args = List.of("--sample.data-dir=" + dataDir);
        int port = SampleProcess.freePort();
        long postgres;
        long redis;
        try (ChildJvm killed = SampleProcess.start(port, args)) {
            postgres = pid(dataDir.resolve("postgres/postmaster.pid"));
            redis = pid(dataDir.resolve("redis/redis.pid"));
            killed.kill();
        }
        assertThat(ProcessHandle.of(postgres).filter(ProcessHandle::isAlive)).as("PostgreSQL outlives kill -9")
            .isPresent();
        assertThat(ProcessHandle.of(redis).filter(ProcessHandle::isAlive)).as("Redis outlives kill -9").isPresent();

        ChildJvm restarted = SampleProcess.start(port, args);
        try {
            String startLog = restarted.output();
            assertThat(startLog).as(startLog)
                .containsPattern("INFO .* Stopped the embedded PostgreSQL \\(pid " + postgres
                        + "\\) that a killed run left on " + Pattern.quote(dataDir.resolve("postgres").toString()))
                .containsPattern("INFO .* Stopped the embedded Redis \\(pid " + redis
                        + "\\) that a killed run left on " + Pattern.quote(dataDir.resolve("redis").toString()));
            assertThat(ProcessHandle.of(postgres).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(ProcessHandle.of(redis).filter(ProcessHandle::isAlive)).isEmpty();
        }
        finally {
            // a stop, not a kill, so that a failed assertion leaves no servers behind
            restarted.stop();
        }
    }

    /** Orders whose sagas ran and whose confirmations the relay delivered, so that every worker has been busy. */
    private static void placeOrdersAndAwaitTheirConfirmations(int port) {
        SampleClient alice = new SampleClient(port, "alice");
        String sku = "stop-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(alice.putStock(sku, 100).statusCode()).isEqualTo(200);
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> created = alice.order(UUID.randomUUID().toString(),
                    SampleClient.orderJson(sku, 1, 1000 + i, sku + "-" + i));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            locations.add(created.headers().firstValue("Location").orElseThrow());
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String location : locations) {
                assertThat(alice.get(location).body()).contains("\"confirmationsSent\":1");
            }
        });
    }

    private static long pid(Path pidFile) throws IOException {
        return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    }
}
