package dev.reliant.benchmarks.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.InProcessKafka;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.RabbitPerfTest;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * How fast Reliant's relay drains a backlog to RabbitMQ with 1, 2 and 3 relay instances sharing one outbox table
 * (and to an in-process Kafka with one),
 * next to RabbitMQ's own confirmed-publish rate measured in the same run by RabbitMQ PerfTest (one producer, 100
 * unconfirmed messages outstanding, persistent messages of the same size, one consumer). The backlog is written
 * through {@code Outbox#publish} with the relay off (1,000 keys, 100 events per key), then the relays start; the
 * drain rate counts from the first message received to the last, so application start-up is left out.
 */
public final class BacklogBenchmark {

    private static final int KEYS = 1_000;

    private static final int WRITERS = 4;

    private static final int PER_TRANSACTION = 500;

    private BacklogBenchmark() {
    }

    public static void run(Options options) throws Exception {
        int backlog = options.pick(100_000, 2_000);
        int perfTestSeconds = options.pick(20, 2);
        Table table = new Table("run", "messages", "drain s", "messages/s", "÷ RabbitMQ confirmed publish");
        double rabbit = RabbitPerfTest.confirmedPublishRate(100, OutboxBenchmark.MESSAGE_BYTES, perfTestSeconds);
        table.row("RabbitMQ PerfTest, 1 producer, 100 confirms outstanding", "", "", rabbit, 1.0);
        for (int relays = 1; relays <= 3; relays++) {
            double rate = drain(backlog, relays, "rabbit");
            table.row("Reliant relay ×" + relays + " → RabbitMQ (confirmed)", backlog, backlog / rate, rate,
                    rate / rabbit);
        }
        double kafka = drain(backlog, 1, "kafka");
        table.row("Reliant relay ×1 → Kafka in-process (acks=all)", backlog, backlog / kafka, kafka, "");
        table.print(String.format("Outbox backlog drain: %,d messages on %,d keys%s", backlog, KEYS,
                options.smoke() ? " (smoke)" : ""));
    }

    private static double drain(int backlog, int relays, String broker) throws Exception {
        boolean rabbit = broker.equals("rabbit");
        try (Receiver receiver = rabbit ? new RabbitReceiver(Servers.rabbit())
                : new KafkaReceiver(InProcessKafka.bootstrapServers());
                Servers.Schema schema = Servers.newSchema("backlog")) {
            List<String> common = new ArrayList<>(schema.springProperties(WRITERS + 4));
            common.addAll(rabbit ? Servers.rabbitProperties()
                    : List.of("spring.kafka.bootstrap-servers=" + InProcessKafka.bootstrapServers()));
            common.addAll(List.of("spring.main.banner-mode=off", "reliant.outbox.publisher=" + broker,
                    "spring.rabbitmq.publisher-confirm-type=correlated", "spring.rabbitmq.publisher-returns=true",
                    Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.MODULITH, Excluded.NAMASTACK,
                            rabbit ? Excluded.KAFKA : Excluded.RABBIT)));
            List<String> writer = new ArrayList<>(common);
            writer.add("reliant.outbox.relay.enabled=false");
            try (ConfigurableApplicationContext context = start(BacklogWriterApplication.class, writer)) {
                write(context.getBean(BacklogWriterApplication.BacklogWriter.class), receiver.destination(), backlog);
            }
            List<ConfigurableApplicationContext> instances = new ArrayList<>();
            try {
                for (int i = 0; i < relays; i++) {
                    instances.add(start(RelayApplication.class, common));
                }
                if (!receiver.awaitCount(backlog, TimeUnit.MINUTES.toNanos(5))) {
                    throw new IllegalStateException("Only " + receiver.distinct() + " of " + backlog
                            + " messages arrived within 5 minutes");
                }
            }
            finally {
                instances.forEach(ConfigurableApplicationContext::close);
            }
            return (backlog - 1) / (receiver.receiveSpanNanos() / 1e9);
        }
    }

    /** The backlog: keys split between the writers so that no two transactions wait for each other's key locks. */
    private static void write(BacklogWriterApplication.BacklogWriter writer, String exchange, int backlog)
            throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(UUID.randomUUID().toString());
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                List<String> mine = new ArrayList<>();
                for (int i = w; i < KEYS; i += WRITERS) {
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

    private static ConfigurableApplicationContext start(Class<?> application, List<String> properties) {
        return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
            .properties(properties.toArray(String[]::new))
            .run();
    }

}
