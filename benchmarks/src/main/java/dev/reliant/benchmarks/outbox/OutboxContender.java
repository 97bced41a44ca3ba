package dev.reliant.benchmarks.outbox;

import java.util.ArrayList;
import java.util.List;

import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.InProcessKafka;
import dev.reliant.benchmarks.support.Servers;

/** The outboxes the outbox benchmarks compare, each an application writing the same workload. */
enum OutboxContender {

    RELIANT("Reliant outbox", "", ReliantOutboxApplication.class,
            "SELECT count(*) FROM reliant_outbox WHERE status = 'PENDING'"),

    // a FAILED publication is not retried on its own
    MODULITH("Spring Modulith 2.1.1 JDBC", "", ModulithOutboxApplication.class,
            "SELECT count(*) FROM event_publication WHERE completion_date IS NULL "
                    + "AND status IS DISTINCT FROM 'FAILED'"),

    NAMASTACK("Namastack Outbox 1.6.0 JDBC", " (100 ms poll, 1,000 keys, " + OutboxBenchmark.WRITERS + " threads)",
            NamastackOutboxApplication.class, "SELECT count(*) FROM outbox_record WHERE status = 'NEW'");

    final String label;

    /** How its relay is tuned, where that differs from its defaults. */
    final String tuning;

    final Class<?> application;

    /** Counts the events the contender still means to deliver: neither delivered nor given up on. */
    final String pendingSql;

    OutboxContender(String label, String tuning, Class<?> application, String pendingSql) {
        this.label = label;
        this.tuning = tuning;
        this.application = application;
        this.pendingSql = pendingSql;
    }

    /** The application's properties for relaying to {@code broker} ({@code rabbit} or {@code kafka}). */
    List<String> properties(String broker) {
        boolean rabbit = broker.equals("rabbit");
        List<String> properties = new ArrayList<>();
        if (rabbit) {
            properties.addAll(Servers.rabbitProperties());
        }
        else {
            properties.add("spring.kafka.bootstrap-servers=" + InProcessKafka.bootstrapServers());
        }
        Excluded otherBroker = rabbit ? Excluded.KAFKA : Excluded.RABBIT;
        switch (this) {
            case RELIANT -> {
                properties.add("reliant.outbox.publisher=" + broker);
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
                // the default (10 keys every 2 s) cannot keep up with this workload at all. Each poll runs a query
                // whose cost grows with the backlog, however few keys it returns, so a poll takes up to 1,000 keys;
                // the processing pool queues without bound and never grows past its core size, so that is set to
                // the default maximum, one thread per writer (see README.md)
                properties.add("namastack.outbox.polling.fixed.interval=100ms");
                properties.add("namastack.outbox.polling.batch-size=1000");
                properties.add("namastack.outbox.processing.executor-core-pool-size=" + OutboxBenchmark.WRITERS);
                properties.add(Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.OUTBOX,
                        Excluded.MODULITH, otherBroker));
            }
        }
        return properties;
    }

}
