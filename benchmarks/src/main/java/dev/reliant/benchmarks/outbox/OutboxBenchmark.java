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
import dev.reliant.benchmarks.support.InProcessKafka;
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
 * broker, one after the other in one run, to RabbitMQ and then to an in-process Kafka: 8 writer threads, each transaction one domain row and one event; a
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
        this.saturated = Duration.ofSeconds(options.pick(15, 1));
        this.steady = Duration.ofSeconds(options.pick(20, 1));
    }

    public static void run(Options options) throws Exception {
        new OutboxBenchmark(options).measure();
    }

    private void measure() throws Exception {
        Table throughput = new Table("contender", "events", "writers' commits/s", "end-to-end events/s",
                "end-to-end ÷ commits", "p50 ms (saturated)", "p99 ms (saturated)");
        Table latency = new Table("contender", "target events/s", "achieved events/s", "p50 ms", "p99 ms",
                "max ms");
        Table ratios = new Table("broker", "Reliant ÷ Modulith end-to-end", "target",
                "Reliant ÷ Namastack end-to-end", "Reliant end-to-end ÷ its writers' commits", "target");
        for (String broker : List.of("rabbit", "kafka")) {
            Run reliant = contender(broker, Contender.RELIANT, throughput, latency);
            Run modulith = contender(broker, Contender.MODULITH, throughput, latency);
            Run namastack = contender(broker, Contender.NAMASTACK, throughput, latency);
            ratios.row(broker, reliant.endToEndRate() / modulith.endToEndRate(), "≥ 1.5",
                    reliant.endToEndRate() / namastack.endToEndRate(),
                    reliant.endToEndRate() / reliant.commitRate(), "≥ 0.95");
        }
        String suffix = options.smoke() ? " (smoke)" : "";
        throughput.print(String.format("Outbox throughput: %d writers flat out for %d s%s", WRITERS,
                saturated.toSeconds(), suffix));
        latency.print(String.format("Outbox commit-to-receive latency at a steady rate, %d s each%s",
                steady.toSeconds(), suffix));
        ratios.print("Outbox ratios" + suffix);
    }

    private Run contender(String broker, Contender contender, Table throughput, Table latency) throws Exception {
        boolean rabbit = broker.equals("rabbit");
        String name = contender.label + " → " + (rabbit ? "RabbitMQ" : "Kafka")
                + (contender == Contender.MODULITH ? " (not acknowledged)" : " (acknowledged)");
        List<String> properties = new ArrayList<>();
        if (rabbit) {
            properties.addAll(Servers.rabbitProperties());
        }
        else {
            properties.add("spring.kafka.bootstrap-servers=" + InProcessKafka.bootstrapServers());
        }
        Excluded otherBroker = rabbit ? Excluded.KAFKA : Excluded.RABBIT;
        switch (contender) {
            case RELIANT -> {
                properties.add("reliant.outbox.publisher=" + broker);
                properties.add("spring.rabbitmq.publisher-confirm-type=correlated");
                properties.add("spring.rabbitmq.publisher-returns=true");
                properties.add(Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.MODULITH,
                        Excluded.NAMASTACK, otherBroker));
            }
            case MODULITH -> {
                properties.add("benchmark.broker=" + broker);
                properties.add("spring.modulith.events.jdbc.schema-initialization.enabled=true");
                properties.add(Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.OUTBOX,
                        Excluded.NAMASTACK, otherBroker));
            }
            case NAMASTACK -> {
                properties.add("benchmark.broker=" + broker);
                properties.add("spring.rabbitmq.publisher-confirm-type=correlated");
                properties.add("namastack.outbox.jdbc.schema-initialization.enabled=true");
                // the default (10 keys every 2 s) cannot keep up with this workload at all
                properties.add("namastack.outbox.polling.fixed.interval=100ms");
                properties.add("namastack.outbox.polling.batch-size=100");
                properties.add(Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.OUTBOX,
                        Excluded.MODULITH, otherBroker));
            }
        }
        try (Receiver receiver = rabbit ? new RabbitReceiver(Servers.rabbit())
                : new KafkaReceiver(InProcessKafka.bootstrapServers());
                Servers.Schema schema = Servers.newSchema("outbox")) {
            // the domain table exists before the application starts, as it would in production
            try (var admin = schema.dataSource(1)) {
                new JdbcTemplate(admin).execute("CREATE TABLE orders (id UUID PRIMARY KEY, payload TEXT NOT NULL)");
            }
            properties.addAll(schema.springProperties(WRITERS + 8));
            properties.addAll(List.of("spring.main.banner-mode=off", "benchmark.destination=" + receiver.destination()));
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(contender.application)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run()) {
                System.out.printf("%s: measuring%n", name);
                OrderWriter writer = context.getBean(OrderWriter.class);
                if (!options.smoke()) {
                    saturate(writer, receiver, Duration.ofSeconds(5));
                }
                Run run = saturate(writer, receiver, saturated);
                throughput.row(name, run.events(), run.commitRate(), run.endToEndRate(),
                        run.endToEndRate() / run.commitRate(), millis(run.latency(), 50), millis(run.latency(), 99));
                System.out.printf("%s: %d events, %.0f commits/s, %.0f end-to-end events/s%n", name, run.events(),
                        run.commitRate(), run.endToEndRate());
                for (int rate : new int[] { 200, 1_000 }) {
                    Run paced = pace(writer, receiver, rate, steady);
                    latency.row(name, rate, paced.commitRate(), millis(paced.latency(), 50),
                            millis(paced.latency(), 99), paced.latency().getMaxValue() / 1e6);
                }
                return run;
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
            long arrived = committed.keySet().stream().filter(id -> receiver.receivedAt(id) != null).count();
            throw new IllegalStateException("Only " + arrived + " of " + committed.size()
                    + " committed events arrived within 3 minutes");
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

    private enum Contender {

        RELIANT("Reliant outbox", ReliantOutboxApplication.class),

        MODULITH("Spring Modulith 2.1.1 JDBC", ModulithOutboxApplication.class),

        NAMASTACK("Namastack Outbox 1.6.0 JDBC (100 ms poll, 100 keys)", NamastackOutboxApplication.class);

        private final String label;

        private final Class<?> application;

        Contender(String label, Class<?> application) {
            this.label = label;
            this.application = application;
        }

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
