package dev.reliant.benchmarks.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import org.HdrHistogram.Histogram;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reliant's outbox against Spring Modulith's event publication registry on the same workload, PostgreSQL and
 * RabbitMQ, one after the other in one run: 8 writer threads, each transaction one domain row and one event; a
 * consumer counting distinct message ids. Per contender: the writers flat out (their commit rate, and the rate at
 * which the events arrived, from the first commit to the last arrival), then a steady 200 and 1,000 events/s with
 * the commit-to-receive latency of every event.
 */
public final class OutboxBenchmark {

    static final String PAYLOAD = "x".repeat(200);

    private static final int WRITERS = 8;

    private final Options options;

    private final Duration saturated;

    private final Duration steady;

    private OutboxBenchmark(Options options) {
        this.options = options;
        this.saturated = Duration.ofSeconds(options.pick(20, 2));
        this.steady = Duration.ofSeconds(options.pick(30, 2));
    }

    public static void run(Options options) throws Exception {
        new OutboxBenchmark(options).measure();
    }

    private void measure() throws Exception {
        Table throughput = new Table("contender", "events", "writers' commits/s", "end-to-end events/s",
                "end-to-end ÷ commits", "p50 ms (saturated)", "p99 ms (saturated)");
        Table latency = new Table("contender", "target events/s", "achieved events/s", "p50 ms", "p99 ms",
                "max ms");
        List<String> reliant = List.of("reliant.outbox.publisher=rabbit",
                "spring.rabbitmq.publisher-confirm-type=correlated", "spring.rabbitmq.publisher-returns=true",
                Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.MODULITH));
        List<String> modulith = List.of("spring.modulith.events.jdbc.schema-initialization.enabled=true",
                Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.OUTBOX));
        Map<String, Double> endToEnd = new ConcurrentHashMap<>();
        Map<String, Double> commits = new ConcurrentHashMap<>();
        contender("Reliant outbox (RabbitMQ, confirmed)", ReliantOutboxApplication.class, reliant, throughput,
                latency, endToEnd, commits);
        contender("Spring Modulith 2.1.1 JDBC (RabbitTemplate, unconfirmed)", ModulithOutboxApplication.class,
                modulith, throughput, latency, endToEnd, commits);
        String suffix = options.smoke() ? " (smoke)" : "";
        throughput.print(String.format("Outbox throughput: %d writers flat out for %d s%s", WRITERS,
                saturated.toSeconds(), suffix));
        latency.print(String.format("Outbox commit-to-receive latency at a steady rate, %d s each%s",
                steady.toSeconds(), suffix));
        List<String> names = new ArrayList<>(endToEnd.keySet());
        names.sort(null);
        String reliantName = names.stream().filter(n -> n.startsWith("Reliant")).findFirst().orElseThrow();
        String modulithName = names.stream().filter(n -> n.startsWith("Spring Modulith")).findFirst().orElseThrow();
        new Table("ratio", "value", "target")
            .row("Reliant end-to-end ÷ Modulith end-to-end", endToEnd.get(reliantName) / endToEnd.get(modulithName),
                    "≥ 1.5")
            .row("Reliant end-to-end ÷ its writers' commits", endToEnd.get(reliantName) / commits.get(reliantName),
                    "≥ 0.95")
            .print("Outbox ratios" + suffix);
    }

    private void contender(String name, Class<?> application, List<String> specific, Table throughput,
            Table latency, Map<String, Double> endToEnd, Map<String, Double> commitRates) throws Exception {
        try (Receiver receiver = new Receiver(Servers.rabbit());
                Servers.Schema schema = Servers.newSchema("outbox")) {
            // the domain table exists before the application starts, as it would in production
            try (var admin = schema.dataSource(1)) {
                new JdbcTemplate(admin).execute("CREATE TABLE orders (id UUID PRIMARY KEY, payload TEXT NOT NULL)");
            }
            List<String> properties = new ArrayList<>(schema.springProperties(WRITERS + 8));
            properties.addAll(Servers.rabbitProperties());
            properties.addAll(List.of("spring.main.banner-mode=off", "benchmark.exchange=" + receiver.exchange()));
            properties.addAll(specific);
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run()) {
                OrderWriter writer = context.getBean(OrderWriter.class);
                saturate(writer, receiver, Duration.ofSeconds(options.pick(5, 1)));
                Run run = saturate(writer, receiver, saturated);
                endToEnd.put(name, run.endToEndRate());
                commitRates.put(name, run.commitRate());
                throughput.row(name, run.events(), run.commitRate(), run.endToEndRate(),
                        run.endToEndRate() / run.commitRate(), millis(run.latency(), 50), millis(run.latency(), 99));
                for (int rate : new int[] { 200, 1_000 }) {
                    Run paced = pace(writer, receiver, rate, steady);
                    latency.row(name, rate, paced.commitRate(), millis(paced.latency(), 50),
                            millis(paced.latency(), 99), paced.latency().getMaxValue() / 1e6);
                }
            }
        }
    }

    /** The writers as fast as they go for {@code duration}, then every event awaited. */
    private Run saturate(OrderWriter writer, Receiver receiver, Duration duration) throws Exception {
        Map<String, Long> committed = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                writers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        String id = writer.write();
                        committed.put(id, System.nanoTime());
                    }
                }));
            }
            for (Future<?> each : writers) {
                each.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
        return collect(start, committed, receiver);
    }

    /** One event every {@code 1/rate} seconds for {@code duration}, sent to the writers' pool on schedule. */
    private Run pace(OrderWriter writer, Receiver receiver, int rate, Duration duration) throws Exception {
        Map<String, Long> committed = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long events = duration.toSeconds() * rate;
        long start = System.nanoTime();
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (long i = 0; i < events; i++) {
                long due = start + i * interval;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                writes.add(pool.submit(() -> committed.put(writer.write(), System.nanoTime())));
            }
            for (Future<?> each : writes) {
                each.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
        return collect(start, committed, receiver);
    }

    private static Run collect(long start, Map<String, Long> committed, Receiver receiver) throws Exception {
        if (!receiver.awaitAll(committed.keySet(), TimeUnit.MINUTES.toNanos(3))) {
            throw new IllegalStateException("Not every committed event arrived within 3 minutes");
        }
        Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
        long lastCommit = start;
        long lastReceive = start;
        for (Map.Entry<String, Long> entry : committed.entrySet()) {
            long receivedAt = receiver.receivedAt(entry.getKey());
            lastCommit = Math.max(lastCommit, entry.getValue());
            lastReceive = Math.max(lastReceive, receivedAt);
            // an event may arrive before its writer has seen the commit return: that is no delay at all
            latency.recordValue(Math.max(0, receivedAt - entry.getValue()));
        }
        return new Run(committed.size(), lastCommit - start, lastReceive - start, latency);
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }

    private record Run(int events, long commitNanos, long receiveNanos, Histogram latency) {

        double commitRate() {
            return events / (commitNanos / 1e9);
        }

        double endToEndRate() {
            return events / (receiveNanos / 1e9);
        }

    }

}
