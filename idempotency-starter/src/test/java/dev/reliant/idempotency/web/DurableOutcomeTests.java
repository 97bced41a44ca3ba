package dev.reliant.idempotency.web;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.idempotency.app.CrashableApp;
import dev.reliant.idempotency.app.Executions;
import dev.reliant.idempotency.app.Ledger;
import dev.reliant.idempotency.app.LedgerController;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TcpProxy;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable outcome at the seams: a process halted at each instant around the commit, a store that fails after the
 * commit, and a request that lost its lease while committing. In every case the handler's write exists once, and
 * the retry gets the outcome of the run that committed.
 */
class DurableOutcomeTests {

    private static final String LEASE = "reliant.idempotency.lease=2s";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Ledger.beforeCommit = () -> {
        };
        Ledger.afterCommit = () -> {
        };
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void haltAfterTheCommitIsReplayedFromTheDurableOutcomeOnRedis() {
        assertHaltedRequestEndsOnce(redisAndDatabase(), "after-commit", true);
    }

    @Test
    void haltAfterTheCommitIsReplayedFromTheDurableOutcomeOnJdbc() {
        assertHaltedRequestEndsOnce(jdbcOnly(), "after-commit", true);
    }

    @Test
    void haltBeforeTheCommitRunsTheRequestOnce() {
        assertHaltedRequestEndsOnce(redisAndDatabase(), "before-commit", false);
    }

    @Test
    void haltAfterTheOutcomeWasStoredIsReplayed() {
        assertHaltedRequestEndsOnce(redisAndDatabase(), "after-store", true);
    }

    /**
     * Redis fails right after the commit, so the outcome cannot be stored there: the response still goes out, and
     * once the claim lapses a retry finds the committed outcome instead of running again.
     */
    @Test
    void storeFailureAfterTheCommitIsAnsweredFromTheDurableOutcome() {
        Setup setup = redisAndDatabase();
        TestRedis.Server redis = TestRedis.server();
        TcpProxy proxy = TcpProxy.start(redis.host(), redis.port());
        resources.add(proxy);
        List<String> properties = new ArrayList<>(setup.properties());
        properties.add("spring.data.redis.port=" + proxy.port());
        properties.add("resilience4j.timelimiter.instances.reliant-idempotency.timeout-duration=300ms");
        RunningApp app = start(properties);
        String ref = "ref-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        Ledger.afterCommit = proxy::cut;

        HttpResponse<byte[]> first = app.post("/ledger/entries").key(key).json(ExactlyOnceTests.entry(ref)).send();
        assertThat(first.statusCode()).isEqualTo(201);
        Ledger.afterCommit = () -> {
        };
        proxy.restore();

        HttpResponse<byte[]> retry = retryUntilAnswered(app, key, ref);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(Ledger.count(setup.database(), ref)).isEqualTo(1);
        assertThat(Executions.count(LedgerController.executions(ref))).isEqualTo(1);
    }

    /**
     * A request stalls while committing, past its lease (no heartbeat); a retry takes the key over and runs. Only one
     * of the two commits: the durable outcome's key fences the later one, which rolls back and answers with the
     * outcome of the one that committed.
     */
    @Test
    void requestThatLostItsLeaseWhileCommittingCannotCommitASecondTime() throws Exception {
        Setup setup = redisAndDatabase();
        List<String> properties = new ArrayList<>(setup.properties());
        properties.add("reliant.idempotency.heartbeat.enabled=false");
        properties.add("reliant.idempotency.lease=1s");
        RunningApp app = start(properties);
        String ref = "ref-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicBoolean firstCommit = new AtomicBoolean(true);
        Ledger.beforeCommit = () -> {
            if (firstCommit.getAndSet(false)) {
                stalled.countDown();
                await().atMost(Duration.ofSeconds(60)).until(() -> resume.getCount() == 0);
            }
        };

        CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture
            .supplyAsync(() -> app.post("/ledger/entries").key(key).json(ExactlyOnceTests.entry(ref)).send());
        await().atMost(Duration.ofSeconds(60)).until(() -> stalled.getCount() == 0);
        CompletableFuture<HttpResponse<byte[]>> second = CompletableFuture
            .supplyAsync(() -> retryUntilAnswered(app, key, ref));
        await().atMost(Duration.ofSeconds(30))
            .until(() -> Executions.count(LedgerController.executions(ref)) == 2);
        resume.countDown();

        HttpResponse<byte[]> one = first.join();
        HttpResponse<byte[]> two = second.join();
        assertThat(one.statusCode()).isEqualTo(201);
        assertThat(two.statusCode()).isEqualTo(201);
        assertThat(two.body()).as("both answer with the outcome that committed").isEqualTo(one.body());
        assertThat(Ledger.count(setup.database(), ref)).isEqualTo(1);
    }

    private void assertHaltedRequestEndsOnce(Setup setup, String haltPoint, boolean committed) {
        int port = freePort();
        List<String> args = new ArrayList<>();
        args.add("--server.port=" + port);
        for (String property : setup.properties()) {
            args.add("--" + property);
        }
        ChildJvm child = ChildJvm.start(CrashableApp.class, args, Map.of());
        resources.add(child);
        await().atMost(Duration.ofSeconds(120)).until(() -> isUp(port, child));
        String ref = "ref-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();

        sendAndDie(port, key, ref, haltPoint);
        await().atMost(Duration.ofSeconds(30)).until(() -> !child.isAlive());
        assertThat(Ledger.count(setup.database(), ref)).isEqualTo(committed ? 1 : 0);

        RunningApp survivor = start(setup.properties());
        HttpResponse<byte[]> retry = retryUntilAnswered(survivor, key, ref);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed").isPresent())
            .as("replayed rather than run again").isEqualTo(committed);
        assertThat(Ledger.count(setup.database(), ref)).isEqualTo(1);
        assertThat(Executions.count(LedgerController.executions(ref))).as("runs in this JVM")
            .isEqualTo(committed ? 0 : 1);
    }

    private static HttpResponse<byte[]> retryUntilAnswered(RunningApp app, String key, String ref) {
        List<HttpResponse<byte[]>> attempts = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<byte[]> attempt = app.post("/ledger/entries")
                .key(key)
                .json(ExactlyOnceTests.entry(ref))
                .send();
            attempts.add(attempt);
            return attempt.statusCode() != 409;
        });
        return attempts.get(attempts.size() - 1);
    }

    private RunningApp start(List<String> properties) {
        RunningApp app = RunningApp.start(properties.toArray(String[]::new));
        resources.add(app);
        return app;
    }

    private Setup redisAndDatabase() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        HikariDataSource database = schema.dataSource(2);
        resources.add(database);
        Ledger.createTable(database);
        List<String> properties = new ArrayList<>(
                List.of(RunningApp.redisAndDatabase(TestRedis.newKeyPrefix(), schema)));
        properties.add(LEASE);
        return new Setup(properties, database);
    }

    private Setup jdbcOnly() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        HikariDataSource database = schema.dataSource(2);
        resources.add(database);
        Ledger.createTable(database);
        List<String> properties = new ArrayList<>(List.of(RunningApp.jdbc(schema)));
        properties.add("spring.flyway.enabled=false");
        properties.add(LEASE);
        return new Setup(properties, database);
    }

    private static void sendAndDie(int port, String key, String ref, String haltPoint) {
        try {
            HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ledger/entries"))
                    .header("Idempotency-Key", key)
                    .header(Ledger.HALT_HEADER, haltPoint)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Basic YWxpY2U6YWxpY2UtcGFzcw==")
                    .POST(HttpRequest.BodyPublishers.ofString(ExactlyOnceTests.entry(ref)))
                    .build(), HttpResponse.BodyHandlers.discarding());
            throw new IllegalStateException("The process answered instead of halting at " + haltPoint);
        }
        catch (IOException ex) {
            // halted mid-request, which is the point
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isUp(int port, ChildJvm child) {
        if (!child.isAlive()) {
            throw new IllegalStateException("Child application died:\n" + child.output());
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private record Setup(List<String> properties, HikariDataSource database) {
    }
}
