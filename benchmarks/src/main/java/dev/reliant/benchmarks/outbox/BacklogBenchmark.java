package dev.reliant.benchmarks.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.reliant.benchmarks.support.InProcessKafka;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.RabbitPerfTest;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * How fast Reliant's relay drains a backlog to RabbitMQ with 1, 2 and 3 relay instances sharing one outbox table
 * (and to an in-process Kafka with one),
 * next to RabbitMQ's own confirmed-publish rate measured in the same run by RabbitMQ PerfTest (one producer, 100
 * unconfirmed messages outstanding, persistent messages of the same size, one consumer). The backlog is written
 * through {@code Outbox#publish} with the relay off (1,000 keys, 100 events per key), then the relays start; the
 * drain rate counts from the first message received to the last, so application start-up is left out. A first
 * drain through one relay warms the JVM up (its row is printed, apart from the measured ones).
 */
public final class BacklogBenchmark {

    private static final int WRITERS = 4;

    private static final int PER_TRANSACTION = 500;

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

    private BacklogBenchmark() {
    }

    public static void run(Options options) throws Exception {
        int backlog = options.pick(100_000, 2_000);
        int perfTestSeconds = options.pick(20, 2);
        Table table = new Table("run", "messages", "drain s", "messages/s", "÷ RabbitMQ confirmed publish");
        double rabbit = RabbitPerfTest.confirmedPublishRate(100, OutboxBenchmark.MESSAGE_BYTES, perfTestSeconds);
        table.row("RabbitMQ PerfTest, 1 producer, 100 confirms outstanding", "", "", rabbit, 1.0);
        // PerfTest's rate is an average over its whole run, its warm-up a small part of it; a drain is over in
        // seconds, and the first one in this JVM spends a good part of them compiling the relay's code
        double cold = drain(backlog, 1, "rabbit");
        table.row("Reliant relay ×1 → RabbitMQ, first drain in this JVM (warm-up)", backlog, backlog / cold, cold,
                cold / rabbit);
        for (int relays = 1; relays <= 3; relays++) {
            double rate = drain(backlog, relays, "rabbit");
            table.row("Reliant relay ×" + relays + " → RabbitMQ (confirmed)", backlog, backlog / rate, rate,
                    rate / rabbit);
        }
        double kafka = drain(backlog, 1, "kafka");
        table.row("Reliant relay ×1 → Kafka in-process (acks=all)", backlog, backlog / kafka, kafka, "");
        table.print(String.format("Outbox backlog drain: %,d messages on %,d keys%s", backlog, Backlog.KEYS,
                options.smoke() ? " (smoke)" : ""));
    }

    private static double drain(int backlog, int relays, String broker) throws Exception {
        try (Receiver receiver = broker.equals("rabbit") ? new RabbitReceiver(Servers.rabbit())
                : new KafkaReceiver(InProcessKafka.bootstrapServers());
                Servers.Schema schema = Servers.newSchema("backlog")) {
            List<String> properties = Backlog.properties(schema, WRITERS + 4, broker);
            try (ConfigurableApplicationContext context = Backlog.startWriter(properties)) {
                write(context.getBean(BacklogWriterApplication.BacklogWriter.class), receiver.destination(), backlog);
            }
            Receiver.Arrivals arrivals = Backlog.drain(receiver, properties, relays, backlog, DRAIN_TIMEOUT);
            if (arrivals.count() < backlog) {
                throw new IllegalStateException("Only " + arrivals.count() + " of " + backlog
                        + " messages arrived within " + DRAIN_TIMEOUT.toMinutes() + " minutes");
            }
            return arrivals.perSecond();
        }
    }

    /** The backlog: keys split between the writers so that no two transactions wait for each other's key locks. */
    private static void write(BacklogWriterApplication.BacklogWriter writer, String exchange, int backlog)
            throws Exception {
        List<String> keys = Backlog.keys();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                List<String> mine = new ArrayList<>();
                for (int i = w; i < Backlog.KEYS; i += WRITERS) {
                    mine.add(keys.get(i));
                }
                int events = backlog / WRITERS;
                parts.add(pool.submit(() -> {
                    List<String> batch = new ArrayList<>(PER_TRANSACTION);
                    for (int i = 0; i < events; i++) {
                        batch.add(mine.get(i % mine.size()));
                        if (batch.size() == PER_TRANSACTION || i == events - 1) {
                            writer.write(exchange, batch);
                            batch.clear();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

}
