package dev.reliant.outbox;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.reliant.outbox.amqp.RabbitOutboxPublisher;
import dev.reliant.outbox.amqp.RabbitRoutingKey;
import dev.reliant.outbox.kafka.KafkaOutboxPublisher;
import dev.reliant.outbox.jdbc.JdbcOutbox;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.support.KafkaTopic;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.TestKafka;
import dev.reliant.testsupport.TestRabbit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import static org.awaitility.Awaitility.await;

/**
 * Drain throughput of a 100,000-message backlog and commit-to-acknowledgement latency at a steady 200 messages/s,
 * to Kafka and (when configured) RabbitMQ. Not part of the default build: run with
 * {@code ./mvnw -B -pl outbox-starter -am verify -Dgroups=measure -DexcludedGroups= -Dtest=OutboxMeasurements
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("measure")
class OutboxMeasurements {

    static final int BACKLOG = 100_000;

    @Test
    void kafka() {
        try (KafkaTopic topic = new KafkaTopic(6)) {
            DefaultKafkaProducerFactory<String, String> base = new DefaultKafkaProducerFactory<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
            KafkaOutboxPublisher publisher = KafkaOutboxPublisher.create(base, Duration.ofSeconds(20));
            try {
                measure("Kafka", topic.name, publisher);
            }
            finally {
                publisher.destroy();
            }
        }
    }

    @Test
    void rabbit() {
        Assumptions.assumeTrue(TestRabbit.configured(), TestRabbit.URL_ENV + " is not set");
        TestRabbit.Server server = TestRabbit.server();
        CachingConnectionFactory factory = new CachingConnectionFactory(server.host(), server.port());
        factory.setUsername(server.username());
        factory.setPassword(server.password());
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        factory.setPublisherReturns(true);
        String exchange = TestRabbit.newName("measure");
        Queue queue = new Queue(TestRabbit.newName("measure"), false, false, false);
        RabbitAdmin admin = new RabbitAdmin(factory);
        TopicExchange topic = new TopicExchange(exchange, false, false);
        admin.declareExchange(topic);
        admin.declareQueue(queue);
        admin.declareBinding(BindingBuilder.bind(queue).to(topic).with("#"));
        try {
            measure("RabbitMQ", exchange, new RabbitOutboxPublisher(factory, RabbitRoutingKey.KEY));
        }
        finally {
            admin.deleteQueue(queue.getName());
            admin.deleteExchange(exchange);
            factory.destroy();
        }
    }

    private void measure(String broker, String destination, OutboxPublisher publisher) {
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                    + " SELECT gen_random_uuid(), ?, 'key-' || (n % 1000), 'measured', '{\"n\":' || n || '}'"
                    + " FROM generate_series(1, ?) AS n", destination, BACKLOG);
            fixture.jdbc.execute("ANALYZE reliant_outbox");
            long started = System.nanoTime();
            OutboxRelay drain = fixture.relay(publisher).batch(200, 20).lease(Duration.ofMinutes(2), Duration.ofSeconds(20))
                .start();
            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> fixture.count("status = 'PENDING'") == 0);
            double seconds = (System.nanoTime() - started) / 1e9;
            drain.stop();
            report(String.format("%s drain: %,d messages in %.1f s = %,.0f messages/s", broker, BACKLOG, seconds,
                    BACKLOG / seconds));
            fixture.jdbc.execute("DELETE FROM reliant_outbox");

            Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
            Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            OutboxPublisher timing = (message) -> publisher.publish(message).thenRun(() -> {
                Long committed = committedAt.remove(message.id());
                if (committed != null) {
                    synchronized (latency) {
                        latency.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - committed)));
                    }
                }
            });
            // the steady rate runs as an application would: four workers, and writers that hand their keys over
            OutboxRelay steady = fixture.relay(timing).workers(4).start();
            JdbcOutbox outbox = fixture.handingOffTo(steady);
            await().atMost(Duration.ofSeconds(30)).until(() -> steady.holder() != null);
            int rate = 200;
            int total = rate * 30;
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long next = System.nanoTime();
            for (int i = 0; i < total; i++) {
                LockSupport.parkNanos(next - System.nanoTime());
                next += interval;
                int n = i;
                UUID[] id = new UUID[1];
                fixture.transactions.executeWithoutResult((status) -> id[0] = outbox.publish(destination,
                        "key-" + (n % 100), "measured", Map.of("n", n)));
                committedAt.put(id[0], System.nanoTime());
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> fixture.count("status = 'PENDING'") == 0);
            synchronized (latency) {
                report(String.format("%s commit-to-ack latency at %d messages/s (%,d messages): p50 %.1f ms, p99 %.1f ms,"
                        + " max %.1f ms", broker, rate, latency.getTotalCount(),
                        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                        latency.getMaxValue() / 1000.0));
            }
        }
    }

    private static void report(String line) {
        System.out.println("MEASURE " + line);
    }
}
