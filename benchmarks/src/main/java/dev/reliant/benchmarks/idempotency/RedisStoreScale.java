package dev.reliant.benchmarks.idempotency;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import dev.reliant.benchmarks.support.ClosedLoop;
import dev.reliant.benchmarks.support.HttpLoad;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.RedisKeys;
import dev.reliant.benchmarks.support.Table;
import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.autoconfigure.IdempotencyProperties;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * How the Redis store's cost grows with the records it keeps. The idempotency benchmark's application on the Redis
 * store, under a fresh key prefix. After a warm-up, whose records are deleted, the store is filled to each size in
 * turn through the store bean, pipelined, with copies of the record that one first execution of the echo stored:
 * its fingerprint and 1 KiB response under keys of their own, each claimed and completed as the filter does (the
 * same two scripts). At each size: the growth of the server's {@code used_memory} per stored record, then a
 * closed-loop HTTP phase of replays of stored records, keys drawn at random from all of them, then one of first
 * executions, whose records are deleted before the next fill. Every key of the run is deleted at the end.
 */
public final class RedisStoreScale {

    private static final String PATH = "/bench/idempotent";

    /** Records being stored at once while filling: enough to keep the connection's pipeline full. */
    private static final int IN_FLIGHT = 1_000;

    private static final double MIB = 1024 * 1024;

    private final Options options;

    private final int connections;

    private final Duration warmUp;

    private final Duration phase;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private RedisStoreScale(Options options) {
        this.options = options;
        this.connections = options.pick(64, 16);
        this.warmUp = Duration.ofSeconds(options.pick(10, 1));
        this.phase = Duration.ofSeconds(options.pick(5, 1));
    }

    public static void run(Options options, int[] sizes) throws Exception {
        new RedisStoreScale(options).measure(sizes);
    }

    private void measure(int[] sizes) throws Exception {
        Table table = new Table("stored records", "fill s", "records/s filled", "used_memory growth MiB",
                "bytes per record", "MEMORY USAGE of one record", "replays/s", "replay p50 ms", "p99 ms",
                "first executions/s", "first execution p50 ms", "p99 ms");
        try (RedisKeys redis = new RedisKeys();
                ConfigurableApplicationContext context = IdempotencyBenchmark.start(connections,
                        IdempotencyBenchmark.redisStoreAlone(), IdempotencyBenchmarkApplication.class)) {
            IdempotencyProperties properties = context.getBean(IdempotencyProperties.class);
            String prefix = properties.getRedis().getKeyPrefix();
            try {
                HttpLoad load = IdempotencyBenchmark.load(context, connections);
                RedisIdempotencyStore store = context.getBean(RedisIdempotencyStore.class);
                Template template = template(load, redis, store, prefix);
                Filler filler = new Filler(store, properties, template);
                warmUp(load);
                redis.delete(prefix);
                long baseline = redis.usedMemory();
                long filled = 0;
                for (int size : sizes) {
                    System.out.printf("Redis idempotency store with %,d records: measuring%n", size);
                    long start = System.nanoTime();
                    filler.fill(filled, size);
                    double fillSeconds = (System.nanoTime() - start) / 1e9;
                    long added = size - filled;
                    filled = size;
                    long growth = redis.usedMemory() - baseline;
                    long one = redis.memoryUsage(prefix + template.scope() + Filler.key(0));
                    ClosedLoop.Result replays = load.run(phase, n -> IdempotencyBenchmark.idempotent(PATH,
                            Filler.key(ThreadLocalRandom.current().nextLong(size))), 200);
                    String firsts = "first-" + run + "-" + size + "-";
                    ClosedLoop.Result first = load.run(phase,
                            n -> IdempotencyBenchmark.idempotent(PATH, firsts + n), 200);
                    redis.delete(prefix + template.scope() + firsts);
                    table.row(size, fillSeconds, added / fillSeconds, growth / MIB, (double) growth / size, one,
                            replays.perSecond(), replays.p50Millis(), replays.p99Millis(), first.perSecond(),
                            first.p50Millis(), first.p99Millis());
                }
            }
            finally {
                System.out.printf("Deleted the run's %,d Redis keys%n", redis.delete(prefix));
            }
        }
        table.print(String.format("Redis idempotency store: 1 KiB responses, %d connections, %d s per phase%s",
                connections, phase.toSeconds(), options.smoke() ? " (smoke)" : ""));
    }

    /** First executions, then replays of them: the JIT compiles both paths before anything is measured. */
    private void warmUp(HttpLoad load) throws Exception {
        long firsts = load.run(warmUp, n -> IdempotencyBenchmark.idempotent(PATH, "warm-" + run + "-" + n), 200)
            .operations();
        load.run(warmUp, n -> IdempotencyBenchmark.idempotent(PATH, "warm-" + run + "-" + (n % firsts)), 200);
    }

    /**
     * The record one first execution of the echo stored, and the scope that its storage key, and so every storage
     * key of the run, starts with. Read back from Redis: the run's only key at that point.
     */
    private Template template(HttpLoad load, RedisKeys redis, RedisIdempotencyStore store, String prefix)
            throws Exception {
        String key = "template-" + run;
        load.once(IdempotencyBenchmark.idempotent(PATH, key), 200);
        List<String> keys = redis.keys(prefix);
        if (keys.size() != 1 || !keys.get(0).endsWith(key)) {
            throw new IllegalStateException("Expected the one record of key " + key + " under " + prefix
                    + ", found " + keys);
        }
        String storageKey = keys.get(0).substring(prefix.length());
        IdempotencyRecord record = store.find(storageKey).get().orElseThrow();
        if (record.state() != RecordState.COMPLETED) {
            throw new IllegalStateException("The first execution's record is " + record.state());
        }
        return new Template(storageKey.substring(0, storageKey.length() - key.length()), record);
    }

    /** A completed record as the filter stores it, and the scope part of its storage key. */
    private record Template(String scope, IdempotencyRecord record) {
    }

    /** Stores copies of the template record, through the store bean, as the filter's claim and completion do. */
    private static final class Filler {

        private final RedisIdempotencyStore store;

        private final Duration lease;

        private final Duration retention;

        private final Template template;

        Filler(RedisIdempotencyStore store, IdempotencyProperties properties, Template template) {
            this.store = store;
            this.lease = properties.getLease();
            this.retention = properties.getRetention();
            this.template = template;
        }

        /** The client's idempotency key of the n-th stored record. */
        static String key(long n) {
            return "stored-" + n;
        }

        /** Stores the records from the {@code from}-th up to (not including) the {@code to}-th. */
        void fill(long from, long to) throws InterruptedException {
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            String fingerprint = template.record().fingerprint();
            for (long n = from; n < to && failure.get() == null; n++) {
                inFlight.acquire();
                String key = template.scope() + key(n);
                String owner = ownerToken();
                store.claim(key, owner, fingerprint, lease, retention)
                    .thenCompose(claim -> (claim instanceof ClaimResult.Claimed)
                            ? store.complete(key, owner, fingerprint, RecordState.COMPLETED,
                                    template.record().response(), retention)
                            : CompletableFuture.completedFuture(false))
                    .whenComplete((completed, ex) -> {
                        if (ex != null || !completed) {
                            failure.compareAndSet(null,
                                    (ex != null) ? ex : new IllegalStateException("Could not store " + key));
                        }
                        inFlight.release();
                    });
            }
            inFlight.acquire(IN_FLIGHT);
            if (failure.get() != null) {
                throw new IllegalStateException("Filling the store failed", failure.get());
            }
        }

        /** An owner token of the filter's form, 32 hex digits, so that every record has the template's size. */
        private static String ownerToken() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
        }

    }

}
