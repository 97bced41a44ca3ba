package dev.reliant.benchmarks.idempotency;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.benchmarks.support.ClosedLoop;
import dev.reliant.benchmarks.support.CountingDataSource;
import dev.reliant.benchmarks.support.CountingRedisClient;
import dev.reliant.benchmarks.support.CpuTime;
import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.HttpLoad;
import dev.reliant.benchmarks.support.JitWarmup;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.RedisCommands;
import dev.reliant.benchmarks.support.RedisKeys;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import dev.reliant.idempotency.autoconfigure.IdempotencyProperties;
import org.HdrHistogram.Histogram;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The cost of {@code @Idempotent}: one Spring MVC application with the same 1 KiB JSON echo with and without the
 * annotation, driven at a fixed number of keep-alive connections, first with the Redis store (through Lettuce, Spring
 * Boot's default client, then through Jedis, which sends the commands on the request thread) and then with the JDBC
 * store. For each store, after a warm-up, rounds of four short slices, one per kind of request, so that every kind
 * sees the same drift of a shared machine: the plain endpoint, first executions (every key new), replays (every key
 * completed) and the in-progress path (every key claimed by a request still running, answered 409). The slices of
 * one kind are merged; with the Redis commands (as sent by the client and as counted by {@code INFO commandstats})
 * or the JDBC statements and commits the application sent, per request.
 * <p>
 * A third configuration, the Redis store with the application's {@code DataSource}, measures the durable outcome: an
 * endpoint that writes one business row in a {@code @Transactional} method, plain and as first executions, whose
 * outcome row commits with the business row. Its added cost less the echo's first execution on the Redis store
 * (which has no {@code DataSource}, hence no outcome row) is the outcome's own share.
 */
public final class IdempotencyBenchmark {

    /** The body of every request, a 1 KiB JSON object, which the endpoints echo. */
    static final byte[] PAYLOAD = ("{\"data\":\"" + "x".repeat(1013) + "\"}").getBytes(StandardCharsets.UTF_8);

    private static final int HELD_KEYS = 8;

    /** Connections to PostgreSQL: more than a few per core only makes them queue inside the server. */
    private static final int JDBC_POOL = 16;

    /** The store's time limit, far above any store call's latency here, so that only an outage trips it. */
    private static final Duration STORE_TIME_LIMIT = Duration.ofSeconds(30);

    /** The Redis store with Jedis as the application's client, which sends the commands on the request thread. */
    private static final String JEDIS = "redis (Jedis)";

    /** The third configuration: the Redis store, and the application's DataSource for its business writes. */
    private static final String WITH_DATA_SOURCE = "redis + DataSource";

    private final Options options;

    private final int connections;

    private final Duration warmup;

    private final Duration phase;

    private final int rounds;

    /** One slice of each kind of request per round while warming up until the JIT compilers settle. */
    private final Duration warmupRound;

    private final Duration warmupLimit;

    /** How warming up went, per store, printed with the table. */
    private final List<String> warmups = new ArrayList<>();

    private IdempotencyBenchmark(Options options) {
        this.options = options;
        this.connections = options.pick(64, 16);
        this.warmup = Duration.ofSeconds(options.pick(15, 1));
        this.phase = Duration.ofSeconds(options.pick(3, 1));
        this.rounds = options.pick(5, 1);
        this.warmupRound = Duration.ofSeconds(options.pick(2, 1));
        this.warmupLimit = Duration.ofSeconds(options.pick(180, 0));
    }

    public static void run(Options options) throws Exception {
        new IdempotencyBenchmark(options).measure();
    }

    private void measure() throws Exception {
        Table table = new Table("store", "request", "req/s", "× plain req/s", "p50 ms", "p99 ms", "added p50 ms",
                "added p99 ms", "CPU µs/req: JVM", "of which JIT", "machine", "store round trips per request");
        Added echo;
        try (RedisCommands server = new RedisCommands()) {
            echo = measureStore("redis", redisStoreAlone(), table, context -> new RedisCounter(server,
                    context.getBean(CountingRedisClient.class)));
        }
        try (RedisCommands server = new RedisCommands()) {
            measureStore(JEDIS, jedisStoreAlone(connections), table, context -> new RedisCounter(server, null));
        }
        try (Servers.Schema schema = Servers.newSchema("idempotency")) {
            List<String> jdbc = new ArrayList<>(schema.springProperties(JDBC_POOL));
            jdbc.add("reliant.idempotency.store=jdbc");
            jdbc.add(Excluded.property(Excluded.OUTBOX, Excluded.SAGA, Excluded.MODULITH, Excluded.NAMASTACK,
                    Excluded.RABBIT, Excluded.KAFKA));
            measureStore("jdbc", jdbc, table, context -> new JdbcCounter(context.getBean(CountingDataSource.class)));
        }
        Added write;
        try (RedisCommands server = new RedisCommands();
                Servers.Schema schema = Servers.newSchema("idempotency_outcome")) {
            try (HikariDataSource dataSource = schema.dataSource(1)) {
                new JdbcTemplate(dataSource).execute(BusinessWriter.TABLE);
            }
            // The schema's own properties keep the application's Flyway off: the schema is not empty any more.
            List<String> withDataSource = redisStore();
            withDataSource.addAll(schema.springProperties(JDBC_POOL));
            withDataSource.add(Excluded.property(Excluded.OUTBOX, Excluded.SAGA, Excluded.MODULITH,
                    Excluded.NAMASTACK, Excluded.RABBIT, Excluded.KAFKA));
            write = measureWrites(withDataSource, table,
                    context -> new CombinedCounter(
                            new RedisCounter(server, context.getBean(CountingRedisClient.class)),
                            new JdbcCounter(context.getBean(CountingDataSource.class))));
        }
        table.print(String.format(
                "Idempotency overhead: 1 KiB JSON echo, %d connections, %d rounds of %d s per kind of request%s",
                connections, rounds, phase.toSeconds(), options.smoke() ? " (smoke)" : ""));
        warmups.forEach(System.out::println);
        Table share = new Table("per first execution",
                "write first execution − write plain (" + WITH_DATA_SOURCE + ")",
                "first execution − plain (redis, echo)",
                "durable outcome");
        share.row("CPU µs: JVM", write.jvmMicros(), echo.jvmMicros(), write.jvmMicros() - echo.jvmMicros());
        share.row("CPU µs: machine", write.machineMicros(), echo.machineMicros(),
                write.machineMicros() - echo.machineMicros());
        share.row("Redis commands sent", write.redisCommands(), echo.redisCommands(),
                write.redisCommands() - echo.redisCommands());
        share.row("SQL statements", write.statements(), echo.statements(), write.statements() - echo.statements());
        share.row("commits", write.commits(), echo.commits(), write.commits() - echo.commits());
        share.print("Durable outcome's share: what a first execution adds to a business write, less what it adds to"
                + " the echo without a DataSource" + (options.smoke() ? " (smoke)" : ""));
    }

    /**
     * Deletes the records a run left under its key prefix: they live for a day, and runs on a shared server would
     * otherwise pile up there, and skew the next run's memory figures.
     */
    private static void deleteRecords(ConfigurableApplicationContext context) {
        try (RedisKeys redis = new RedisKeys()) {
            redis.delete(context.getBean(IdempotencyProperties.class).getRedis().getKeyPrefix());
        }
    }

    /** The Redis store under a fresh key prefix. */
    private static List<String> redisStore() {
        List<String> redis = new ArrayList<>(Servers.redisProperties());
        redis.add("reliant.idempotency.store=redis");
        redis.add("reliant.idempotency.redis.key-prefix=" + Servers.newRedisKeyPrefix());
        return redis;
    }

    /** The Redis store under a fresh key prefix, and no DataSource: the echo's configuration on Redis. */
    static List<String> redisStoreAlone() {
        List<String> redis = redisStore();
        redis.add(Excluded.property(Excluded.OUTBOX, Excluded.SAGA, Excluded.MODULITH, Excluded.NAMASTACK,
                Excluded.RABBIT, Excluded.KAFKA, Excluded.JDBC));
        return redis;
    }

    /**
     * The echo's configuration on Redis with Jedis as the client: its pool as large as the request threads, and its
     * read timeout the store's time limit.
     */
    private static List<String> jedisStoreAlone(int connections) {
        List<String> redis = redisStoreAlone();
        int threads = connections + HELD_KEYS + 16;
        redis.add("spring.data.redis.client-type=jedis");
        redis.add("spring.data.redis.jedis.pool.max-active=" + threads);
        redis.add("spring.data.redis.jedis.pool.max-idle=" + threads);
        redis.add("spring.data.redis.timeout=" + STORE_TIME_LIMIT);
        return redis;
    }

    /** The application on a free port, with threads for {@code connections} clients and the held requests. */
    static ConfigurableApplicationContext start(int connections, List<String> storeProperties,
            Class<?>... sources) {
        List<String> properties = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "logging.level.root=WARN", "server.tomcat.max-keep-alive-requests=-1",
                "server.tomcat.threads.max=" + (connections + HELD_KEYS + 16),
                // What is measured is the cost of each path, not the fail-closed answer: on a shared machine a
                // scheduling stall longer than the default 1 s store time limit would answer 503 and end the run.
                "resilience4j.timelimiter.instances.reliant-idempotency.timeout-duration=" + STORE_TIME_LIMIT));
        properties.addAll(storeProperties);
        return new SpringApplicationBuilder(sources).properties(properties.toArray(String[]::new)).run();
    }

    /** A load of {@code connections} keep-alive connections to the application. */
    static HttpLoad load(ConfigurableApplicationContext context, int connections) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return new HttpLoad("127.0.0.1", port, connections);
    }

    private Added measureStore(String store, List<String> storeProperties, Table table,
            Function<ConfigurableApplicationContext, StoreCounter> counters) throws Exception {
        try (ConfigurableApplicationContext context = start(connections, storeProperties,
                IdempotencyBenchmarkApplication.class)) {
            try {
                EchoController controller = context.getBean(EchoController.class);
                HttpLoad load = load(context, connections);
                String run = UUID.randomUUID().toString().substring(0, 8);
                load.run(warmup, n -> plain(), 200);
                load.run(warmup, n -> idempotent("/bench/idempotent", "warm-" + run + "-" + n), 200);
                long[] warmKeys = { 0 };
                int[] warmRounds = { 0 };
                String warmPrefix = "warm-" + run + "-r";
                warmups.add(store + ": " + JitWarmup.untilSettled(() -> warmKeys[0] = echoRound(controller, load,
                        warmPrefix, warmKeys[0], warmPrefix + warmRounds[0]++, warmupRound, Slice::unmeasured),
                        warmupLimit));

                List<Phase> phases = new ArrayList<>();
                for (int kind = 0; kind < 4; kind++) {
                    phases.add(new Phase(counters.apply(context)));
                }
                long keys = 0;
                for (int round = 0; round < rounds; round++) {
                    keys = echoRound(controller, load, run, keys, run + "-" + round, phase,
                            (kind, slice) -> phases.get(kind).run(slice));
                }
                Phase plain = phases.get(0);
                Phase first = phases.get(1);
                rows(table, store, List.of("plain", "first execution", "replay", "in progress (409)"), phases);
                return Added.between(first, plain);
            }
            finally {
                if (store.startsWith("redis")) {
                    deleteRecords(context);
                }
            }
        }
    }

    /**
     * The write endpoints on the Redis store with the application's {@code DataSource}: a business row alone, and the
     * same row with a first execution's claim, outcome row and completion.
     */
    private Added measureWrites(List<String> storeProperties, Table table,
            Function<ConfigurableApplicationContext, StoreCounter> counters) throws Exception {
        try (ConfigurableApplicationContext context = start(connections, storeProperties,
                IdempotencyBenchmarkApplication.class, WriteEndpoints.class)) {
            try {
                HttpLoad load = load(context, connections);
                String run = UUID.randomUUID().toString().substring(0, 8);
                load.run(warmup, n -> HttpLoad.post("/bench/write/plain", PAYLOAD), 200);
                load.run(warmup, n -> idempotent("/bench/write/idempotent", "warm-" + run + "-" + n), 200);
                long[] warmKeys = { 0 };
                String warmPrefix = "warm-" + run + "-r";
                warmups.add(WITH_DATA_SOURCE + ": " + JitWarmup.untilSettled(
                        () -> warmKeys[0] = writeRound(load, warmPrefix, warmKeys[0], warmupRound, Slice::unmeasured),
                        warmupLimit));

                Phase plain = new Phase(counters.apply(context));
                Phase first = new Phase(counters.apply(context));
                List<Phase> phases = List.of(plain, first);
                long keys = 0;
                for (int round = 0; round < rounds; round++) {
                    keys = writeRound(load, run, keys, phase, (kind, slice) -> phases.get(kind).run(slice));
                }
                rows(table, WITH_DATA_SOURCE, List.of("write plain", "write first execution"), phases);
                return Added.between(first, plain);
            }
            finally {
                deleteRecords(context);
            }
        }
    }

    /**
     * One slice of each kind of request on the echo: plain, first executions (keys {@code prefix-keys}, {@code
     * prefix-keys+1}, …), replays of the keys completed so far, and 409s for keys held under {@code held}.
     *
     * @return the number of keys under {@code prefix} completed after this round
     */
    private long echoRound(EchoController controller, HttpLoad load, String prefix, long keys, String held,
            Duration slice, Slices slices) throws Exception {
        slices.run(0, () -> load.run(slice, n -> plain(), 200));
        long completed = keys + slices
            .run(1, () -> load.run(slice, n -> idempotent("/bench/idempotent", prefix + "-" + (keys + n)), 200))
            .latency()
            .getTotalCount();
        slices.run(2, () -> load.run(slice, n -> idempotent("/bench/idempotent", prefix + "-" + (n % completed)), 200));
        slices.run(3, () -> inProgress(controller, load, held, slice));
        return completed;
    }

    /**
     * One slice of each kind of request on the write endpoints: plain, and first executions (keys {@code
     * prefix-keys}, {@code prefix-keys+1}, …).
     *
     * @return the number of keys under {@code prefix} completed after this round
     */
    private static long writeRound(HttpLoad load, String prefix, long keys, Duration slice, Slices slices)
            throws Exception {
        slices.run(0, () -> load.run(slice, n -> HttpLoad.post("/bench/write/plain", PAYLOAD), 200));
        return keys + slices
            .run(1, () -> load.run(slice,
                    n -> idempotent("/bench/write/idempotent", prefix + "-" + (keys + n)), 200))
            .latency()
            .getTotalCount();
    }

    /** One row per phase, the first of them the baseline the others are compared with. */
    private static void rows(Table table, String store, List<String> names, List<Phase> phases) {
        Phase plain = phases.get(0);
        double plainRate = plain.perSecond();
        double plainP50 = plain.millis(50);
        double plainP99 = plain.millis(99);
        table.row(store, names.get(0), plainRate, 1.0, plainP50, plainP99, "", "", plain.jvmMicros(),
                plain.compilationMicros(), plain.machineMicros(), plain.roundTrips());
        for (int i = 1; i < phases.size(); i++) {
            Phase each = phases.get(i);
            table.row(store, names.get(i), each.perSecond(), each.perSecond() / plainRate, each.millis(50),
                    each.millis(99), each.millis(50) - plainP50, each.millis(99) - plainP99, each.jvmMicros(),
                    each.compilationMicros(), each.machineMicros(), each.roundTrips());
        }
    }

    /**
     * Claims {@link #HELD_KEYS} keys with requests that wait inside the handler, sends duplicates of them under
     * load (each answered 409), then lets the waiting requests finish.
     */
    private ClosedLoop.Result inProgress(EchoController controller, HttpLoad load, String run, Duration duration)
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
            ClosedLoop.Result conflict = load.run(duration,
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

    private static byte[] plain() {
        return HttpLoad.post("/bench/plain", PAYLOAD);
    }

    /** A request to an idempotent endpoint with the given key. */
    static byte[] idempotent(String path, String key) {
        return HttpLoad.post(path, PAYLOAD, "Idempotency-Key: " + key);
    }

    /**
     * Counts the store's round trips between each {@link #start()} and {@link #stop()}, summed over all of them.
     */
    private interface StoreCounter {

        void start();

        void stop();

        String perRequest(long requests);

        /** What was counted in all, for the differences between phases. */
        Counts counted();

    }

    /** Redis commands sent, SQL statements executed and commits (or rollbacks) sent. */
    private record Counts(long redisCommands, long statements, long commits) {

        Counts plus(Counts other) {
            return new Counts(redisCommands + other.redisCommands, statements + other.statements,
                    commits + other.commits);
        }

    }

    /** What one kind of request costs per request beyond another: CPU and round trips. */
    private record Added(double jvmMicros, double machineMicros, double redisCommands, double statements,
            double commits) {

        static Added between(Phase phase, Phase baseline) {
            return new Added(phase.jvmMicros() - baseline.jvmMicros(),
                    phase.machineMicros() - baseline.machineMicros(),
                    phase.perRequest(Counts::redisCommands) - baseline.perRequest(Counts::redisCommands),
                    phase.perRequest(Counts::statements) - baseline.perRequest(Counts::statements),
                    phase.perRequest(Counts::commits) - baseline.perRequest(Counts::commits));
        }

    }

    /** One kind of request, measured in slices interleaved with the other kinds, merged. */
    private static final class Phase {

        private final StoreCounter counter;

        private final Histogram latency = new Histogram(3);

        private long wallNanos;

        private long jvmNanos;

        private long machineNanos;

        private long compilationMillis;

        Phase(StoreCounter counter) {
            this.counter = counter;
        }

        ClosedLoop.Result run(Slice slice) throws Exception {
            counter.start();
            long jvm = CpuTime.processNanos();
            long machine = CpuTime.machineNanos();
            long compiling = JitWarmup.compilationMillis();
            ClosedLoop.Result result = slice.run();
            jvmNanos += CpuTime.processNanos() - jvm;
            compilationMillis += JitWarmup.compilationMillis() - compiling;
            machineNanos += CpuTime.machineNanos() - machine;
            counter.stop();
            latency.add(result.latency());
            wallNanos += result.wallNanos();
            return result;
        }

        double jvmMicros() {
            return jvmNanos / 1e3 / latency.getTotalCount();
        }

        /** The JIT compilers' time per request, which the JVM's CPU per request includes. */
        double compilationMicros() {
            return compilationMillis * 1e3 / latency.getTotalCount();
        }

        double machineMicros() {
            return machineNanos / 1e3 / latency.getTotalCount();
        }

        double perSecond() {
            return latency.getTotalCount() / (wallNanos / 1e9);
        }

        double millis(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1e6;
        }

        String roundTrips() {
            return counter.perRequest(latency.getTotalCount());
        }

        double perRequest(ToLongFunction<Counts> count) {
            return (double) count.applyAsLong(counter.counted()) / latency.getTotalCount();
        }

    }

    @FunctionalInterface
    private interface Slice {

        ClosedLoop.Result run() throws Exception;

        /** Runs a slice of the given kind without measuring it, as warming up does. */
        static ClosedLoop.Result unmeasured(int kind, Slice slice) throws Exception {
            return slice.run();
        }

    }

    /** Runs the slice of each kind of request of a round: into that kind's phase, or unmeasured. */
    @FunctionalInterface
    private interface Slices {

        ClosedLoop.Result run(int kind, Slice slice) throws Exception;

    }

    private static final class RedisCounter implements StoreCounter {

        private final RedisCommands server;

        private final CountingRedisClient client;

        private final Map<String, Long> serverCounted = new HashMap<>();

        private final Map<String, Long> clientCounted = new HashMap<>();

        private Map<String, Long> serverBefore;

        private Map<String, Long> clientBefore;

        /** @param client the application's Lettuce client, counted; {@code null} for Jedis, which is not */
        RedisCounter(RedisCommands server, CountingRedisClient client) {
            this.server = server;
            this.client = client;
        }

        @Override
        public void start() {
            serverBefore = server.snapshot();
            clientBefore = (client != null) ? client.snapshot() : Map.of();
        }

        @Override
        public void stop() {
            add(serverCounted, serverBefore, server.snapshot());
            add(clientCounted, clientBefore, (client != null) ? client.snapshot() : Map.of());
        }

        private static void add(Map<String, Long> counted, Map<String, Long> before, Map<String, Long> after) {
            after.forEach((command, calls) -> counted.merge(command, calls - before.getOrDefault(command, 0L),
                    Long::sum));
        }

        @Override
        public String perRequest(long requests) {
            String commandstats = "INFO commandstats " + RedisCommands.perRequest(Map.of(), serverCounted, requests);
            return (client != null)
                    ? "sent " + RedisCommands.perRequest(Map.of(), clientCounted, requests) + "; " + commandstats
                    : commandstats;
        }

        @Override
        public Counts counted() {
            return new Counts(clientCounted.values().stream().mapToLong(Long::longValue).sum(), 0, 0);
        }

    }

    private static final class JdbcCounter implements StoreCounter {

        private final CountingDataSource counting;

        private long statements;

        private long commits;

        private long statementsCounted;

        private long commitsCounted;

        JdbcCounter(CountingDataSource counting) {
            this.counting = counting;
        }

        @Override
        public void start() {
            statements = counting.statements();
            commits = counting.commits();
        }

        @Override
        public void stop() {
            statementsCounted += counting.statements() - statements;
            commitsCounted += counting.commits() - commits;
        }

        @Override
        public String perRequest(long requests) {
            double executed = (double) statementsCounted / requests;
            double committed = (double) commitsCounted / requests;
            return String.format("%.2f (%.2f statements + %.2f commits)", executed + committed, executed, committed);
        }

        @Override
        public Counts counted() {
            return new Counts(0, statementsCounted, commitsCounted);
        }

    }

    /** Both of an application's stores: the Redis commands it sent, and its SQL statements and commits. */
    private static final class CombinedCounter implements StoreCounter {

        private final RedisCounter redis;

        private final JdbcCounter jdbc;

        CombinedCounter(RedisCounter redis, JdbcCounter jdbc) {
            this.redis = redis;
            this.jdbc = jdbc;
        }

        @Override
        public void start() {
            redis.start();
            jdbc.start();
        }

        @Override
        public void stop() {
            jdbc.stop();
            redis.stop();
        }

        @Override
        public String perRequest(long requests) {
            Counts counted = counted();
            double sent = (double) (counted.redisCommands() + counted.statements() + counted.commits()) / requests;
            return String.format("%.2f: Redis %s; SQL %s", sent, redis.perRequest(requests), jdbc.perRequest(requests));
        }

        @Override
        public Counts counted() {
            return redis.counted().plus(jdbc.counted());
        }

    }

}
