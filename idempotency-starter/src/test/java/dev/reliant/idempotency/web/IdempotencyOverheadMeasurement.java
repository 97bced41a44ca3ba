package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rough figure for the cost of {@code @Idempotent}: the same 1 KiB JSON echo with and without the annotation, in
 * one run, and the Redis commands each kind of request sends. Not part of the build's test run:
 * {@code ./mvnw -pl idempotency-starter -am verify -Dgroups=measure -DexcludedGroups=none -Dtest=IdempotencyOverheadMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("measure")
class IdempotencyOverheadMeasurement {

    private static final int THREADS = 8;

    private static final int REQUESTS = 4000;

    @Test
    void measure() throws Exception {
        String payload = "{\"data\":\"" + "x".repeat(1000) + "\"}";
        try (RunningApp app = RunningApp.start(RunningApp.redis(TestRedis.newKeyPrefix()));
                RedisClient client = RedisClient.create(TestRedis.server().url());
                StatefulRedisConnection<String, String> redis = client.connect()) {
            run(i -> app.post("/bench/plain").json(payload), REQUESTS, false);
            run(i -> app.post("/bench/idempotent").key("warm-" + i).json(payload), REQUESTS, false);

            Run plain = run(i -> app.post("/bench/plain").json(payload), REQUESTS, false);
            String[] keys = new String[REQUESTS];
            Arrays.setAll(keys, i -> UUID.randomUUID().toString());
            Map<String, Long> before = commandCounts(redis);
            Run first = run(i -> app.post("/bench/idempotent").key(keys[i]).json(payload), REQUESTS, false);
            Map<String, Long> afterFirst = commandCounts(redis);
            Run replay = run(i -> app.post("/bench/idempotent").key(keys[i]).json(payload), REQUESTS, true);
            Map<String, Long> afterReplay = commandCounts(redis);
            Run plainAgain = run(i -> app.post("/bench/plain").json(payload), REQUESTS, false);

            System.out.printf("%nidempotency overhead, %d threads x %d requests, 1 KiB JSON echo%n", THREADS,
                    REQUESTS / THREADS);
            print("plain", plain);
            print("first execution", first);
            print("replay", replay);
            print("plain (again)", plainAgain);
            System.out.printf("redis commands per first execution: %s%n", perRequest(before, afterFirst));
            System.out.printf("redis commands per replay: %s%n", perRequest(afterFirst, afterReplay));
            assertThat(perCommand(before, afterFirst, "evalsha")).as("claim and complete").isEqualTo(2.0);
            assertThat(perCommand(afterFirst, afterReplay, "evalsha")).as("one claim that finds the record")
                .isEqualTo(1.0);
        }
    }

    /**
     * Sends the requests from {@value #THREADS} threads; each must answer 200, replayed exactly when
     * {@code replayed} says so, or the run fails: a figure for requests that were not what they claim is worthless.
     */
    private static Run run(IntFunction<RunningApp.Call> call, int requests, boolean replayed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long wallStart = System.nanoTime();
        try {
            List<Future<long[]>> parts = new ArrayList<>();
            int each = requests / THREADS;
            for (int t = 0; t < THREADS; t++) {
                int offset = t * each;
                parts.add(pool.submit(() -> {
                    long[] nanos = new long[each];
                    for (int i = 0; i < each; i++) {
                        long start = System.nanoTime();
                        HttpResponse<byte[]> response = call.apply(offset + i).send();
                        nanos[i] = System.nanoTime() - start;
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("status " + response.statusCode());
                        }
                        if (response.headers().firstValue("Idempotent-Replayed").isPresent() != replayed) {
                            throw new IllegalStateException("expected replayed=" + replayed + " for request "
                                    + (offset + i));
                        }
                    }
                    return nanos;
                }));
            }
            long[] all = new long[each * THREADS];
            int at = 0;
            for (Future<long[]> part : parts) {
                long[] nanos = part.get();
                System.arraycopy(nanos, 0, all, at, nanos.length);
                at += nanos.length;
            }
            return new Run(all, System.nanoTime() - wallStart);
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static void print(String label, Run run) {
        long[] sorted = run.nanos().clone();
        Arrays.sort(sorted);
        System.out.printf("%-16s %8.0f req/s  p50 %6.3f ms  p99 %6.3f ms%n", label,
                sorted.length / (run.wallNanos() / 1e9), sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.99)] / 1e6);
    }

    private record Run(long[] nanos, long wallNanos) {
    }

    private static Map<String, Long> commandCounts(StatefulRedisConnection<String, String> redis) {
        Map<String, Long> counts = new HashMap<>();
        for (String line : redis.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
                counts.put(name, Long.parseLong(calls));
            }
        }
        return counts;
    }

    private static double perCommand(Map<String, Long> before, Map<String, Long> after, String command) {
        return (double) (after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L)) / REQUESTS;
    }

    private static String perRequest(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder out = new StringBuilder();
        after.forEach((command, calls) -> {
            long delta = calls - before.getOrDefault(command, 0L);
            if (delta > 0 && !command.equals("info")) {
                out.append(String.format("%s=%.2f ", command, (double) delta / REQUESTS));
            }
        });
        return out.toString().trim();
    }
}
