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
import java.util.function.LongSupplier;

import dev.reliant.benchmarks.support.InProcessKafka;
import dev.reliant.benchmarks.support.JitWarmup;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import org.HdrHistogram.Histogram;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reliant's outbox against Spring Modulith's event publication registry and Namastack Outbox on the same workload,
 * PostgreSQL and broker, one after the other in one run, to RabbitMQ and then to an in-process Kafka: 8 writer
 * threads, each transaction one domain row and one event; a consumer counting distinct message ids. Per contender: the writers flat out (their commit rate, and the rate at
 * which the events arrived, from the first commit to the last arrival), then a steady 200 and 1,000 events/s with
 * the commit-to-receive latency of every event.
 * <p>
 * Each phase waits a bounded time for its events. A contender whose flat-out backlog does not drain in that time is
 * reported with what arrived and not measured further, so that one that cannot keep up does not stall the run; the
 * run fails when events that did not arrive are no longer pending in the contender's own table (lost, or given up
 * on), or when a contender is late at the lowest steady rate.
 */
public final class OutboxBenchmark {

    /** The payload of every event, also the row the baselines insert. */
    public static final String PAYLOAD = "x".repeat(200);

    /** About the size of one outbox message on the broker: the payload in its JSON envelope, with its headers. */
    public static final int MESSAGE_BYTES = PAYLOAD.length() + 100;

    /** The writer threads of every outbox measurement. */
    static final int WRITERS = 8;

    private static final int[] STEADY_RATES = { 200, 1_000 };

    /** Time after the count of pending events for those already acknowledged to reach the receiver. */
    private static final Duration IN_FLIGHT = Duration.ofSeconds(5);

    private final Options options;

    private final Duration saturated;

    private final Duration steady;

    private final Duration drain;

    /** The longest the JIT compilers are given to catch up with a contender's warm-up before it is measured. */
    private static final Duration JIT_WARMUP_LIMIT = Duration.ofSeconds(240);

    private OutboxBenchmark(Options options) {
        this.options = options;
        this.saturated = Duration.ofSeconds(options.pick(15, 1));
        this.steady = Duration.ofSeconds(options.pick(20, 1));
        this.drain = Duration.ofSeconds(options.pick(180, 30));
    }

    public static void run(Options options) throws Exception {
        new OutboxBenchmark(options).measure();
    }

    private void measure() throws Exception {
        Table throughput = new Table("contender", "events", "writers' commits/s", "end-to-end events/s",
                "end-to-end ÷ commits", "p50 ms (saturated)", "p99 ms (saturated)", "drained");
        Table latency = new Table("contender", "target events/s", "achieved events/s", "p50 ms", "p99 ms",
                "max ms", "drained");
        Table ratios = new Table("broker", "Reliant ÷ Modulith end-to-end", "target",
                "Reliant ÷ Namastack end-to-end", "Reliant end-to-end ÷ its writers' commits", "target");
        for (String broker : List.of("rabbit", "kafka")) {
            Run reliant = contender(broker, OutboxContender.RELIANT, throughput, latency);
            Run modulith = contender(broker, OutboxContender.MODULITH, throughput, latency);
            Run namastack = contender(broker, OutboxContender.NAMASTACK, throughput, latency);
            ratios.row(broker, ratio(reliant.endToEndRate() / modulith.endToEndRate(), reliant, modulith), "≥ 1.5",
                    ratio(reliant.endToEndRate() / namastack.endToEndRate(), reliant, namastack),
                    ratio(reliant.endToEndRate() / reliant.commitRate(), reliant), "≥ 0.95");
        }
        String suffix = options.smoke() ? " (smoke)" : "";
        throughput.print(String.format("Outbox throughput: %d writers flat out for %d s%s", WRITERS,
                saturated.toSeconds(), suffix));
        latency.print(String.format("Outbox commit-to-receive latency at a steady rate, %d s each%s",
                steady.toSeconds(), suffix));
        ratios.print("Outbox ratios" + suffix);
        System.out.printf("%nEach phase waits at most %d s for its events; a contender whose flat-out backlog did "
                + "not drain in that time is reported with what arrived (its latencies as lower bounds, ≥) and not "
                + "measured at the steady rates.%n", drain.toSeconds());
    }

    private Run contender(String broker, OutboxContender contender, Table throughput, Table latency)
            throws Exception {
        boolean rabbit = broker.equals("rabbit");
        String name = contender.label + contender.tuning + " → " + (rabbit ? "RabbitMQ" : "Kafka")
                + (contender == OutboxContender.MODULITH ? " (not acknowledged)" : " (acknowledged)");
        List<String> properties = contender.properties(broker);
        try (Receiver receiver = rabbit ? new RabbitReceiver(Servers.rabbit())
                : new KafkaReceiver(InProcessKafka.bootstrapServers());
                Servers.Schema schema = Servers.newSchema("outbox")) {
            // the domain table exists before the application starts, as it would in production
            try (var admin = schema.dataSource(1)) {
                Orders.create(new JdbcTemplate(admin));
            }
            properties.addAll(schema.springProperties(WRITERS + 8));
            properties.addAll(List.of("spring.main.banner-mode=off", "benchmark.destination=" + receiver.destination()));
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(contender.application)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run()) {
                System.out.printf("%s: measuring%n", name);
                OrderWriter writer = context.getBean(OrderWriter.class);
                JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                LongSupplier pending = () -> jdbc.queryForObject(contender.pendingSql, Long.class);
                if (!options.smoke()) {
                    Run warmUp = saturate(writer, receiver, Duration.ofSeconds(5), name + ", warm-up", pending);
                    if (!warmUp.drained()) {
                        return truncated(name + " (warm-up)", warmUp, throughput, latency);
                    }
                    // The first contender on a broker would otherwise also pay for compiling the in-process Kafka
                    // broker and the receiver, whose code the later ones find compiled.
                    System.out.printf("%s: %s%n", name, JitWarmup.untilSettled(() -> pace(writer, receiver,
                            STEADY_RATES[STEADY_RATES.length - 1], Duration.ofSeconds(2), name + ", warm-up",
                            pending), JIT_WARMUP_LIMIT));
                }
                Run run = saturate(writer, receiver, saturated, name + ", flat out", pending);
                System.out.printf("%s: %d events, %.0f commits/s, %.0f end-to-end events/s, %s%n", name,
                        run.events(), run.commitRate(), run.endToEndRate(), drained(run));
                if (!run.drained()) {
                    return truncated(name, run, throughput, latency);
                }
                throughput.row(name, run.events(), run.commitRate(), run.endToEndRate(),
                        run.endToEndRate() / run.commitRate(), millis(run, 50), millis(run, 99), drained(run));
                for (int rate : STEADY_RATES) {
                    Run paced = pace(writer, receiver, rate, steady, name + ", " + rate + " events/s", pending);
                    if (!paced.drained() && rate == STEADY_RATES[0]) {
                        throw new IllegalStateException(name + ": only " + paced.arrived() + " of "
                                + paced.events() + " events committed at " + rate + "/s arrived within "
                                + drain.toSeconds() + " s");
                    }
                    latency.row(name, rate, paced.commitRate(), millis(paced, 50), millis(paced, 99),
                            bounded(paced, paced.latency().getMaxValue() / 1e6), drained(paced));
                    if (!paced.drained()) {
                        break;
                    }
                }
                return run;
            }
        }
    }

    /**
     * Reports a contender whose backlog did not drain in time and skips its steady rates: its context closes and
     * its schema is dropped on return, so its relay no longer loads the machine while the next one runs.
     */
    private Run truncated(String name, Run run, Table throughput, Table latency) {
        throughput.row(name, run.events(), run.commitRate(), run.endToEndRate(),
                run.endToEndRate() / run.commitRate(), millis(run, 50), millis(run, 99), drained(run));
        latency.row(name, "not run: backlog not drained", "", "", "", "", "");
        return run;
    }

    /** The writers as fast as they go for {@code duration}, then every event awaited. */
    private Run saturate(OrderWriter writer, Receiver receiver, Duration duration, String phase,
            LongSupplier pending) throws Exception {
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
        return collect(start, committed, receiver, phase, pending);
    }

    /** One event every {@code 1/rate} seconds for {@code duration}, sent to the writers' pool on schedule. */
    private Run pace(OrderWriter writer, Receiver receiver, int rate, Duration duration, String phase,
            LongSupplier pending) throws Exception {
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
        return collect(start, committed, receiver, phase, pending);
    }

    /**
     * Waits up to {@link #drain} for every committed event. Those still missing then are late if the contender's
     * table still holds at least as many pending events, and lost otherwise: pending is counted before a last
     * {@link #IN_FLIGHT} wait, so that events acknowledged but not yet delivered are not taken for lost. A missing
     * event's latency is recorded as the time it has waited so far, which makes the percentiles lower bounds.
     */
    private Run collect(long start, Map<String, Long> committed, Receiver receiver, String phase,
            LongSupplier pending) throws Exception {
        if (!receiver.awaitAll(committed.keySet(), drain.toNanos())) {
            long stillPending = pending.getAsLong();
            Thread.sleep(IN_FLIGHT.toMillis());
            long missing = committed.keySet().stream().filter(id -> receiver.receivedAt(id) == null).count();
            if (missing > stillPending) {
                throw new IllegalStateException(phase + ": " + missing + " of " + committed.size()
                        + " committed events did not arrive, and only " + stillPending
                        + " are still pending in the outbox: at least " + (missing - stillPending) + " lost");
            }
        }
        long end = System.nanoTime();
        Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
        long lastCommit = start;
        long lastReceive = start;
        int arrived = 0;
        for (Map.Entry<String, Long> entry : committed.entrySet()) {
            Long receivedAt = receiver.receivedAt(entry.getKey());
            lastCommit = Math.max(lastCommit, entry.getValue());
            if (receivedAt == null) {
                latency.recordValue(end - entry.getValue());
                continue;
            }
            arrived++;
            lastReceive = Math.max(lastReceive, receivedAt);
            // an event may arrive before its writer has seen the commit return: that is no delay at all
            latency.recordValue(Math.max(0, receivedAt - entry.getValue()));
        }
        return new Run(committed.size(), arrived, lastCommit - start, lastReceive - start, latency);
    }

    private static Object millis(Run run, double percentile) {
        return bounded(run, run.latency().getValueAtPercentile(percentile) / 1e6);
    }

    /** A latency, marked as a lower bound when some events had not arrived. */
    private static Object bounded(Run run, double millis) {
        return run.drained() ? (Object) millis : String.format("≥ %.0f", millis);
    }

    private String drained(Run run) {
        return run.drained() ? "yes"
                : String.format("no: %,d of %,d arrived within %d s", run.arrived(), run.events(), drain.toSeconds());
    }

    /** A ratio of two runs' figures, marked when a backlog did not drain and a rate counts only what arrived. */
    private static Object ratio(double ratio, Run... runs) {
        for (Run run : runs) {
            if (!run.drained()) {
                return String.format("%.3f (not drained)", ratio);
            }
        }
        return ratio;
    }

    /**
     * One phase: {@code events} committed, {@code arrived} of them received in time; the end-to-end rate counts the
     * arrivals up to the last one.
     */
    private record Run(int events, int arrived, long commitNanos, long receiveNanos, Histogram latency) {

        boolean drained() {
            return arrived == events;
        }

        double commitRate() {
            return events / (commitNanos / 1e9);
        }

        double endToEndRate() {
            return arrived == 0 ? 0 : arrived / (receiveNanos / 1e9);
        }

    }

}
