package dev.reliant.benchmarks.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.reliant.benchmarks.support.ClosedLoop;
import dev.reliant.benchmarks.support.CpuTime;
import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import io.namastack.outbox.OutboxProcessingScheduler;
import org.HdrHistogram.Histogram;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What each outbox costs the application's writing transactions: the outbox benchmark's writers flat out, each
 * transaction one order row, without an outbox (the bare writers) and with each contender's write in the same
 * transaction, its relay off so that only the writers use the machine. All four applications run at once, each in a
 * schema of its own, and take turns in rounds of equal slices, the order rotating by one each round, so that each
 * sees the same drift of a shared machine. Afterwards every application must hold one order per commit and, with an
 * outbox, one pending event per commit: nothing lost, nothing relayed.
 */
public final class WriterTaxBenchmark {

    /** Reliant's writers' commit rate, at least, as a share of the bare writers'. */
    private static final double TARGET = 0.8;

    /** The writers take their connections from the application's pool, per transaction, as its own code does. */
    private static final AutoCloseable NO_CONNECTION = () -> {
    };

    private final Options options;

    private final int rounds;

    private final Duration slice;

    private final Duration warmUp = Duration.ofSeconds(5);

    private WriterTaxBenchmark(Options options) {
        this.options = options;
        this.rounds = options.pick(3, 1);
        this.slice = Duration.ofSeconds(options.pick(5, 1));
    }

    public static void run(Options options) throws Exception {
        new WriterTaxBenchmark(options).measure();
    }

    private void measure() throws Exception {
        List<Writers> all = new ArrayList<>();
        try {
            for (Contender contender : Contender.values()) {
                all.add(Writers.start(contender));
            }
            if (!options.smoke()) {
                for (Writers writers : all) {
                    writers.run(warmUp, false);
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < all.size(); i++) {
                    Writers writers = all.get((round + i) % all.size());
                    ClosedLoop.Result result = writers.run(slice, true);
                    System.out.printf("round %d, %s: %.0f commits/s%n", round + 1, writers.contender.label,
                            result.perSecond());
                }
            }
            for (Writers writers : all) {
                writers.verify();
            }
            print(all);
        }
        finally {
            for (Writers writers : all) {
                writers.close();
            }
        }
    }

    private void print(List<Writers> all) {
        double bare = rate(all, Contender.BARE);
        double reliant = rate(all, Contender.RELIANT);
        Table table = new Table("writers", "commits", "commits/s", "÷ bare", "Reliant ÷ this", "p50 ms", "p99 ms",
                "CPU µs/commit: JVM", "machine", "target");
        for (Writers writers : all) {
            ClosedLoop.Result measured = writers.measured;
            boolean isReliant = writers.contender == Contender.RELIANT;
            table.row(writers.contender.label, measured.operations(), measured.perSecond(),
                    measured.perSecond() / bare, isReliant ? "" : reliant / measured.perSecond(),
                    measured.p50Millis(), measured.p99Millis(), writers.jvmNanos / 1e3 / measured.operations(),
                    writers.machineNanos / 1e3 / measured.operations(), writers.contender.target);
        }
        String suffix = options.smoke() ? " (smoke)" : "";
        table.print(String.format("Writer tax: %d writers flat out, %d round%s of %d s per contender, relays off%s",
                OutboxBenchmark.WRITERS, rounds, rounds == 1 ? "" : "s", slice.toSeconds(), suffix));
        double modulith = rate(all, Contender.MODULITH);
        double namastack = rate(all, Contender.NAMASTACK);
        new Table("target", "measured", "met")
            .row("Reliant's writers ≥ " + TARGET + " × the bare writers' commits/s", reliant / bare,
                    met(reliant / bare >= TARGET))
            .row("Reliant's writers ahead of Modulith's", reliant / modulith, met(reliant > modulith))
            .row("Reliant's writers ahead of Namastack's", reliant / namastack, met(reliant > namastack))
            .print("Writer tax targets" + suffix);
    }

    private static double rate(List<Writers> all, Contender contender) {
        return all.stream()
            .filter(writers -> writers.contender == contender)
            .findFirst()
            .orElseThrow()
            .measured
            .perSecond();
    }

    private static String met(boolean met) {
        return met ? "yes" : "no";
    }

    /**
     * The bare writers and each outbox's, with how its relay is kept off. Reliant's is the relay turned off by its
     * own property, as on an instance that only writes. Spring Modulith publishes through an asynchronous listener,
     * held at the hand-off ({@link HeldListeners}). Namastack's polling scheduler has no such property: it is
     * stopped through its {@code Lifecycle} once the application has started, before any write.
     */
    private enum Contender {

        BARE("bare writers (the order row alone)", null, ""),

        RELIANT(OutboxContender.RELIANT.label + ": Outbox#publish, relay off", OutboxContender.RELIANT,
                "≥ " + TARGET + " × bare"),

        MODULITH(OutboxContender.MODULITH.label + ": publishEvent, listener executor paused",
                OutboxContender.MODULITH, "Reliant ÷ this > 1"),

        NAMASTACK(OutboxContender.NAMASTACK.label + ": Outbox#schedule, scheduler stopped",
                OutboxContender.NAMASTACK, "Reliant ÷ this > 1");

        private final String label;

        /** The outbox written in each transaction, none for the bare writers. */
        private final OutboxContender outbox;

        private final String target;

        Contender(String label, OutboxContender outbox, String target) {
            this.label = label;
            this.outbox = outbox;
            this.target = target;
        }

        /**
         * The application's properties. The outboxes are configured as in the outbox benchmark with RabbitMQ, since
         * the peers write their events only for a listener or handler that relays them, and theirs relay to a broker.
         */
        List<String> properties() {
            if (outbox == null) {
                return List.of(Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.OUTBOX,
                        Excluded.MODULITH, Excluded.NAMASTACK, Excluded.RABBIT, Excluded.KAFKA));
            }
            List<String> properties = outbox.properties("rabbit");
            if (this == RELIANT) {
                properties.add("reliant.outbox.relay.enabled=false");
            }
            return properties;
        }

    }

    /** One contender's application, its schema and what its writers measured. */
    private static final class Writers implements AutoCloseable {

        private final Contender contender;

        private final Servers.Schema schema;

        private final ConfigurableApplicationContext context;

        private final OrderWriter writer;

        private final HeldListeners held;

        private ClosedLoop.Result measured = new ClosedLoop.Result(new Histogram(3), 0);

        private long jvmNanos;

        private long machineNanos;

        /** Every commit, the warm-up's too. */
        private long commits;

        private Writers(Contender contender, Servers.Schema schema, ConfigurableApplicationContext context) {
            this.contender = contender;
            this.schema = schema;
            this.context = context;
            this.writer = context.getBean(OrderWriter.class);
            this.held = (contender == Contender.MODULITH) ? new HeldListeners(context) : null;
            if (contender == Contender.NAMASTACK) {
                context.getBean(OutboxProcessingScheduler.class).stop();
            }
        }

        static Writers start(Contender contender) {
            Servers.Schema schema = Servers.newSchema("writer_tax");
            try {
                try (var admin = schema.dataSource(1)) {
                    Orders.create(new JdbcTemplate(admin));
                }
                List<String> properties = new ArrayList<>(contender.properties());
                // a connection per writer, and two for the applications' own background work
                properties.addAll(schema.springProperties(OutboxBenchmark.WRITERS + 2));
                properties.addAll(List.of("spring.main.banner-mode=off", "benchmark.destination=writer-tax"));
                Class<?> application = (contender.outbox != null) ? contender.outbox.application
                        : BareWriterApplication.class;
                ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                    .web(WebApplicationType.NONE)
                    .properties(properties.toArray(String[]::new))
                    .run();
                try {
                    return new Writers(contender, schema, context);
                }
                catch (RuntimeException ex) {
                    context.close();
                    throw ex;
                }
            }
            catch (RuntimeException ex) {
                schema.close();
                throw ex;
            }
        }

        ClosedLoop.Result run(Duration duration, boolean measure) throws Exception {
            long jvm = CpuTime.processNanos();
            long machine = CpuTime.machineNanos();
            ClosedLoop.Result result = ClosedLoop.run(OutboxBenchmark.WRITERS, duration, () -> NO_CONNECTION,
                    none -> {
                        writer.write();
                        return true;
                    });
            if (measure) {
                jvmNanos += CpuTime.processNanos() - jvm;
                machineNanos += CpuTime.machineNanos() - machine;
                measured = measured.plus(result);
            }
            commits += result.operations();
            return result;
        }

        /** One order per commit, and with an outbox one event per commit, still pending since nothing relays. */
        void verify() {
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            long orders = Orders.count(jdbc);
            if (orders != commits) {
                throw new IllegalStateException(contender.label + ": " + commits + " commits, " + orders + " orders");
            }
            if (contender.outbox != null) {
                long pending = jdbc.queryForObject(contender.outbox.pendingSql, Long.class);
                if (pending != commits) {
                    throw new IllegalStateException(contender.label + ": " + commits + " commits, " + pending
                            + " pending events; expected one each, none relayed");
                }
            }
            if (held != null && held.held() != commits) {
                throw new IllegalStateException(contender.label + ": " + commits + " commits, " + held.held()
                        + " listener invocations held");
            }
        }

        @Override
        public void close() {
            try {
                if (held != null) {
                    held.close();
                }
                context.close();
            }
            finally {
                schema.close();
            }
        }

    }

}
