package dev.reliant.benchmarks.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.InProcessKafka;
import dev.reliant.benchmarks.support.Servers;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the backlog benchmarks share: a backlog written into a fresh outbox schema by an application whose relay is
 * off, then drained by relay instances started afterwards (separate application contexts sharing the outbox table).
 */
final class Backlog {

    /** The keys of every backlog, each event on the next key in turn. */
    static final int KEYS = 1_000;

    private Backlog() {
    }

    /** {@link #KEYS} fresh keys. */
    static List<String> keys() {
        List<String> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add(UUID.randomUUID().toString());
        }
        return keys;
    }

    /**
     * The properties of every application on the backlog: the schema's DataSource with {@code poolSize}
     * connections, and {@code broker} ({@code rabbit} with publisher confirms, or {@code kafka} in-process) as the
     * relay's publisher; nothing else of the module runs.
     */
    static List<String> properties(Servers.Schema schema, int poolSize, String broker) {
        boolean rabbit = broker.equals("rabbit");
        List<String> properties = new ArrayList<>(schema.springProperties(poolSize));
        properties.addAll(rabbit ? Servers.rabbitProperties()
                : List.of("spring.kafka.bootstrap-servers=" + InProcessKafka.bootstrapServers()));
        properties.addAll(List.of("spring.main.banner-mode=off", "reliant.outbox.publisher=" + broker,
                Excluded.property(Excluded.IDEMPOTENCY, Excluded.SAGA, Excluded.MODULITH, Excluded.NAMASTACK,
                        rabbit ? Excluded.KAFKA : Excluded.RABBIT)));
        return properties;
    }

    /** The backlog's writer: {@link BacklogWriterApplication} on {@code properties}, its relay off. */
    static ConfigurableApplicationContext startWriter(List<String> properties) {
        List<String> writer = new ArrayList<>(properties);
        writer.add("reliant.outbox.relay.enabled=false");
        return start(BacklogWriterApplication.class, writer);
    }

    /**
     * Starts {@code relays} relay instances on {@code properties} and waits until {@code messages} distinct
     * messages have arrived at {@code receiver}, or {@code timeout} has passed; the instances are closed on return.
     * @return what had arrived when the wait ended, before the instances closed
     */
    static Receiver.Arrivals drain(Receiver receiver, List<String> properties, int relays, int messages,
            Duration timeout) throws InterruptedException {
        List<ConfigurableApplicationContext> instances = new ArrayList<>();
        try {
            for (int i = 0; i < relays; i++) {
                instances.add(start(RelayApplication.class, properties));
            }
            receiver.awaitCount(messages, timeout.toNanos());
            return receiver.arrivals();
        }
        finally {
            instances.forEach(ConfigurableApplicationContext::close);
        }
    }

    private static ConfigurableApplicationContext start(Class<?> application, List<String> properties) {
        return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
            .properties(properties.toArray(String[]::new))
            .run();
    }

}
