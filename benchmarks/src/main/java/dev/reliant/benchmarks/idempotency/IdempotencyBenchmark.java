package dev.reliant.benchmarks.idempotency;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.reliant.benchmarks.support.CountingDataSource;
import dev.reliant.benchmarks.support.CountingRedisClient;
import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.HttpLoad;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.RedisCommands;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import org.HdrHistogram.Histogram;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The cost of {@code @Idempotent}: one Spring MVC application with the same 1 KiB JSON echo with and without the
 * annotation, driven at a fixed number of keep-alive connections, first with the Redis store and then with the JDBC
 * store. For each store, in one run: the plain endpoint, first executions (every key new), replays (every key
 * completed) and the in-progress path (every key claimed by a request still running, answered 409), then the plain
 * endpoint again; with Redis's own command counts ({@code INFO commandstats}) or the JDBC statements and commits
 * the application sent, per request.
 */
public final class IdempotencyBenchmark {

    private static final int HELD_KEYS = 8;

    private final Options options;

    private final int connections;

    private final Duration warmup;

    private final Duration phase;

    private final byte[] payload;

    private IdempotencyBenchmark(Options options) {
        this.options = options;
        this.connections = options.pick(64, 16);
        this.warmup = Duration.ofSeconds(options.pick(10, 1));
        this.phase = Duration.ofSeconds(options.pick(10, 1));
        this.payload = ("{\"data\":\"" + "x".repeat(1013) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    public static void run(Options options) throws Exception {
        new IdempotencyBenchmark(options).measure();
    }

    private void measure() throws Exception {
        Table table = new Table("store", "request", "req/s", "× plain req/s", "p50 ms", "p99 ms", "added p50 ms",
                "added p99 ms", "store round trips per request");
        List<String> redis = new ArrayList<>(Servers.redisProperties());
        redis.add("reliant.idempotency.store=redis");
        redis.add("reliant.idempotency.redis.key-prefix=bench:" + UUID.randomUUID() + ":");
        redis.add(Excluded.property(Excluded.OUTBOX, Excluded.SAGA, Excluded.MODULITH, Excluded.RABBIT,
                Excluded.JDBC));
        try (RedisCommands server = new RedisCommands()) {
            measureStore("redis", redis, table, context -> new RedisCounter(server,
                    context.getBean(CountingRedisClient.class)));
        }
        try (Servers.Schema schema = Servers.newSchema("idempotency")) {
            List<String> jdbc = new ArrayList<>(schema.springProperties(connections));
            jdbc.add("reliant.idempotency.store=jdbc");
            jdbc.add(Excluded.property(Excluded.OUTBOX, Excluded.SAGA, Excluded.MODULITH, Excluded.RABBIT));
            measureStore("jdbc", jdbc, table, context -> new JdbcCounter(context.getBean(CountingDataSource.class)));
        }
        table.print(String.format("Idempotency overhead: 1 KiB JSON echo, %d connections, %d s per phase%s",
                connections, phase.toSeconds(), options.smoke() ? " (smoke)" : ""));
    }

    private void measureStore(String store, List<String> storeProperties, Table table, Function<ConfigurableApplicationContext, StoreCounter> counters) throws Exception {
        List<String> properties = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "logging.level.root=WARN", "server.tomcat.max-keep-alive-requests=-1",
                "server.tomcat.threads.max=" + (connections + HELD_KEYS + 16)));
        properties.addAll(storeProperties);
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                IdempotencyBenchmarkApplication.class)
            .properties(properties.toArray(String[]::new))
            .run()) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            EchoController controller = context.getBean(EchoController.class);
            StoreCounter counter = counters.apply(context);
            HttpLoad load = new HttpLoad("127.0.0.1", port, connections);
            String run = UUID.randomUUID().toString().substring(0, 8);

            load.run(warmup, n -> plain(), 200);
            load.run(warmup, n -> idempotent("/bench/idempotent", "warm-" + run + "-" + n), 200);

            HttpLoad.Result plain = load.run(phase, n -> plain(), 200);
            counter.start();
            HttpLoad.Result first = load.run(phase, n -> idempotent("/bench/idempotent", run + "-" + n), 200);
            String firstTrips = counter.perRequest(first.latency().getTotalCount());
            long firstKeys = first.latency().getTotalCount();
            counter.start();
            HttpLoad.Result replay = load.run(phase,
                    n -> idempotent("/bench/idempotent", run + "-" + (n % firstKeys)), 200);
            String replayTrips = counter.perRequest(replay.latency().getTotalCount());
            HttpLoad.Result conflict = inProgress(controller, load, run, counter);
            String conflictTrips = counter.perRequest(conflict.latency().getTotalCount());
            HttpLoad.Result plainAgain = load.run(phase, n -> plain(), 200);

            Histogram plainLatency = plain.latency().copy();
            plainLatency.add(plainAgain.latency());
            double plainRate = (plain.perSecond() + plainAgain.perSecond()) / 2;
            double plainP50 = plainLatency.getValueAtPercentile(50) / 1e6;
            double plainP99 = plainLatency.getValueAtPercentile(99) / 1e6;
            table.row(store, "plain (before)", plain.perSecond(), 1.0, plain.p50Millis(), plain.p99Millis(), "", "",
                    "");
            row(table, store, "first execution", first, plainRate, plainP50, plainP99, firstTrips);
            row(table, store, "replay", replay, plainRate, plainP50, plainP99, replayTrips);
            row(table, store, "in progress (409)", conflict, plainRate, plainP50, plainP99, conflictTrips);
            table.row(store, "plain (after)", plainAgain.perSecond(), plainAgain.perSecond() / plainRate,
                    plainAgain.p50Millis(), plainAgain.p99Millis(), "", "", "");
        }
    }

    /**
     * Claims {@link #HELD_KEYS} keys with requests that wait inside the handler, sends duplicates of them under
     * load (each answered 409), then lets the waiting requests finish.
     */
    private HttpLoad.Result inProgress(EchoController controller, HttpLoad load, String run, StoreCounter counter)
            throws Exception {
        controller.hold();
        ExecutorService holders = Executors.newFixedThreadPool(HELD_KEYS);
        try {
            List<Future<?>> held = new ArrayList<>();
            for (int i = 0; i < HELD_KEYS; i++) {
                byte[] request = idempotent("/bench/held", "held-" + run + "-" + i);
                held.add(holders.submit(() -> {
                    load.once(request, 200);
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (controller.holding() < HELD_KEYS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The held requests never arrived");
                }
                Thread.sleep(10);
            }
            counter.start();
            HttpLoad.Result conflict = load.run(phase,
                    n -> idempotent("/bench/held", "held-" + run + "-" + (n % HELD_KEYS)), 409);
            controller.release();
            for (Future<?> request : held) {
                request.get(60, TimeUnit.SECONDS);
            }
            return conflict;
        }
        finally {
            controller.release();
            holders.shutdownNow();
        }
    }

    private static void row(Table table, String store, String request, HttpLoad.Result result, double plainRate,
            double plainP50, double plainP99, String trips) {
        table.row(store, request, result.perSecond(), result.perSecond() / plainRate, result.p50Millis(),
                result.p99Millis(), result.p50Millis() - plainP50, result.p99Millis() - plainP99, trips);
    }

    private byte[] plain() {
        return HttpLoad.post("/bench/plain", payload);
    }

    private byte[] idempotent(String path, String key) {
        return HttpLoad.post(path, payload, "Idempotency-Key: " + key);
    }

    /** Counts the store's round trips between {@link #start()} and {@link #perRequest(long)}. */
    private interface StoreCounter {

        void start();

        String perRequest(long requests);

    }

    private static final class RedisCounter implements StoreCounter {

        private final RedisCommands server;

        private final CountingRedisClient client;

        private Map<String, Long> serverBefore;

        private Map<String, Long> clientBefore;

        RedisCounter(RedisCommands server, CountingRedisClient client) {
            this.server = server;
            this.client = client;
        }

        @Override
        public void start() {
            serverBefore = server.snapshot();
            clientBefore = client.snapshot();
        }

        @Override
        public String perRequest(long requests) {
            return "sent " + RedisCommands.perRequest(clientBefore, client.snapshot(), requests)
                    + "; INFO commandstats " + RedisCommands.perRequest(serverBefore, server.snapshot(), requests);
        }

    }

    private static final class JdbcCounter implements StoreCounter {

        private final CountingDataSource counting;

        private long statements;

        private long commits;

        JdbcCounter(CountingDataSource counting) {
            this.counting = counting;
        }

        @Override
        public void start() {
            statements = counting.statements();
            commits = counting.commits();
        }

        @Override
        public String perRequest(long requests) {
            double executed = (double) (counting.statements() - statements) / requests;
            double committed = (double) (counting.commits() - commits) / requests;
            return String.format("%.2f (%.2f statements + %.2f commits)", executed + committed, executed, committed);
        }

    }

}
