package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.reliant.idempotency.IdempotencyProblems;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.idempotency.redis.JedisStoreClient;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import static dev.reliant.idempotency.web.IdempotentEndpointTests.assertProblem;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.executions;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Duplicates racing across two application instances that share one store: exactly one execution, and every
 * other request gets either the very same response or a 409 problem.
 */
class ConcurrentDuplicatesTests {

    private static final int REQUESTS = 50;

    @Test
    void redisStoreRunsOneOfFiftyConcurrentDuplicates() throws Exception {
        String prefix = TestRedis.newKeyPrefix();
        try (RunningApp one = RunningApp.start(RunningApp.redis(prefix));
                RunningApp two = RunningApp.start(RunningApp.redis(prefix))) {
            raceDuplicates(one, two);
        }
    }

    /** One instance on Lettuce, the other on Jedis (whose pool has fewer connections than there are duplicates). */
    @Test
    void redisStoreRunsOneOfFiftyConcurrentDuplicatesWhateverEachInstancesClient() throws Exception {
        String prefix = TestRedis.newKeyPrefix();
        List<String> jedis = new ArrayList<>(List.of(RunningApp.redis(prefix)));
        jedis.add("spring.data.redis.client-type=jedis");
        try (RunningApp one = RunningApp.start(RunningApp.redis(prefix));
                RunningApp two = RunningApp.start(jedis.toArray(String[]::new))) {
            assertThat(two.context().getBean(RedisIdempotencyStore.class).client())
                .isInstanceOf(JedisStoreClient.class);
            raceDuplicates(one, two);
        }
    }

    @Test
    void jdbcStoreRunsOneOfFiftyConcurrentDuplicates() throws Exception {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        try (RunningApp one = RunningApp.start(RunningApp.jdbc(schema));
                RunningApp two = RunningApp.start(RunningApp.jdbc(schema))) {
            raceDuplicates(one, two);
        }
    }

    private static void raceDuplicates(RunningApp one, RunningApp two) throws Exception {
        for (int round = 0; round < 3; round++) {
            String key = UUID.randomUUID().toString();
            // The handler takes a moment, so most duplicates arrive while the first is still running.
            String path = "/api/slow?ms=" + (round * 150);
            List<HttpResponse<byte[]>> responses = sendAtOnce(one, two, path, key);

            assertThat(executions("/api/slow", key, "alice")).isEqualTo(1);
            List<HttpResponse<byte[]>> successes = responses.stream().filter(r -> r.statusCode() == 200).toList();
            List<HttpResponse<byte[]>> originals = successes.stream()
                .filter(r -> r.headers().firstValue("Idempotent-Replayed").isEmpty())
                .toList();
            assertThat(originals).hasSize(1);
            byte[] original = originals.get(0).body();
            for (HttpResponse<byte[]> response : responses) {
                if (response.statusCode() == 200) {
                    assertThat(Arrays.equals(response.body(), original)).as("replay is byte-identical").isTrue();
                }
                else {
                    assertProblem(response, 409, IdempotencyProblems.REQUEST_IN_PROGRESS.toString());
                }
            }
        }
    }

    private static List<HttpResponse<byte[]>> sendAtOnce(RunningApp one, RunningApp two, String path, String key)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<byte[]>>> futures = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                RunningApp target = (i % 2 == 0) ? one : two;
                futures.add(pool.submit(() -> {
                    start.await();
                    return target.post(path).key(key).send();
                }));
            }
            start.countDown();
            List<HttpResponse<byte[]>> responses = new ArrayList<>();
            for (Future<HttpResponse<byte[]>> future : futures) {
                responses.add(future.get());
            }
            return responses;
        }
        finally {
            pool.shutdownNow();
        }
    }
}
