package dev.reliant.outbox.kafka;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.autoconfigure.OutboxAutoConfiguration;
import dev.reliant.outbox.relay.RetryPolicy;
import dev.reliant.outbox.support.KafkaTopic;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.TestKafka;
import dev.reliant.testsupport.TestPostgres;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class KafkaOutboxTests {

    @Test
    void theAutoConfiguredRelayPublishesToKafkaWithKeyAndHeaders() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        try (KafkaTopic topic = new KafkaTopic(3)) {
            new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                        KafkaAutoConfiguration.class, OutboxAutoConfiguration.class))
                .withPropertyValues(schema.springProperties())
                .withPropertyValues("spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                        "spring.kafka.producer.acks=1", "reliant.outbox.channel=outbox_" + schema.name())
                .run((context) -> {
                    assertThat(context).hasSingleBean(KafkaOutboxPublisher.class);
                    Outbox outbox = context.getBean(Outbox.class);
                    TransactionTemplate transactions = context.getBean(TransactionTemplate.class);
                    UUID id = transactions.execute((status) -> outbox.publish(topic.name, "order-7",
                            "order.created", Map.of("total", 42), Map.of(OutboxHeaders.TRACEPARENT,
                                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")));
                    await().atMost(Duration.ofSeconds(60)).until(() -> !topic.poll(Duration.ofMillis(200)).isEmpty());
                    ConsumerRecord<String, String> record = topic.poll(Duration.ZERO).get(0);
                    assertThat(record.key()).isEqualTo("order-7");
                    assertThat(record.value()).isEqualTo("{\"total\":42}");
                    assertThat(KafkaTopic.header(record, OutboxHeaders.MESSAGE_ID)).isEqualTo(id.toString());
                    assertThat(KafkaTopic.header(record, OutboxHeaders.MESSAGE_TYPE)).isEqualTo("order.created");
                    assertThat(KafkaTopic.header(record, OutboxHeaders.TRACEPARENT))
                        .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
                    await().atMost(Duration.ofSeconds(60)).until(() -> published(context, id));
                });
        }
    }

    @Test
    void theProducerIsIdempotentWithAcksAllWhateverTheApplicationConfigured() {
        DefaultKafkaProducerFactory<String, String> applications = new DefaultKafkaProducerFactory<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG,
                        "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "app-tx"),
                new StringSerializer(), new StringSerializer());
        KafkaOutboxPublisher publisher = KafkaOutboxPublisher.create(applications, Duration.ofSeconds(10));
        try {
            Map<String, Object> config = publisher.producerConfiguration();
            assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .doesNotContainKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        }
        finally {
            publisher.destroy();
        }
    }

    @Test
    void aBrokerOutageUnderLoadLosesNothingParksNothingAndBacksOff() {
        try (OutboxFixture fixture = new OutboxFixture(); KafkaTopic topic = new KafkaTopic(3)) {
            DefaultKafkaProducerFactory<String, String> base = new DefaultKafkaProducerFactory<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
            KafkaOutboxPublisher kafka = KafkaOutboxPublisher.create(base, Duration.ofSeconds(10));
            AtomicBoolean brokerDown = new AtomicBoolean(true);
            AtomicInteger refused = new AtomicInteger();
            OutboxPublisher outage = (message) -> {
                if (brokerDown.get()) {
                    refused.incrementAndGet();
                    return CompletableFuture.failedFuture(
                            new NetworkException("broker unreachable"));
                }
                return kafka.publish(message);
            };
            // enough attempts to outlast the outage: writing 2,000 messages one transaction at a time takes about
            // 15 s here, and the fixture's policy parks after about 20 s of failures
            fixture.relay(outage)
                .pollInterval(Duration.ofMillis(100))
                .retry(new RetryPolicy(RetryPolicy.exponentialWithJitter(Duration.ofMillis(50), 2.0, 0.5,
                        Duration.ofSeconds(1)), 1000, List.of()))
                .start();
            long outageStarted = System.nanoTime();
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                int n = i;
                ids.add(fixture.transactions.execute((status) -> fixture.outbox.publish(topic.name,
                        "key-" + (n % 100), "counted", Map.of("n", n))));
            }
            // every key's head has failed a few times before the broker comes back
            await().atMost(Duration.ofSeconds(60))
                .until(() -> fixture.count("attempts >= 3 AND status = 'PENDING'") >= 100);
            brokerDown.set(false);
            long outageSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStarted);

            await().atMost(Duration.ofSeconds(120)).until(() -> topic.poll(Duration.ofMillis(200)).size() >= 2000);
            List<ConsumerRecord<String, String>> records = topic.poll(Duration.ZERO);
            assertThat(records).hasSize(2000);
            assertThat(records).extracting((record) -> UUID.fromString(KafkaTopic.header(record,
                    OutboxHeaders.MESSAGE_ID))).containsExactlyInAnyOrderElementsOf(ids);
            Map<String, Integer> lastPerKey = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                int n = Integer.parseInt(record.value().replaceAll("\\D", ""));
                Integer previous = lastPerKey.put(record.key(), n);
                assertThat(previous == null || previous < n).as("order of " + record.key()).isTrue();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.count("status = 'PUBLISHED'") == 2000);
            assertThat(fixture.parked.count()).isZero();
            // backoff, not a hot loop: only the 100 heads were tried, each a few times, then at most about once
            // per second (the fixture's backoff starts at 50 ms and is capped at 1 s, jitter included)
            long bound = 6 + 2 * outageSeconds;
            Integer maxAttempts = fixture.jdbc.queryForObject("SELECT max(attempts) FROM reliant_outbox",
                    Integer.class);
            assertThat(maxAttempts).isLessThanOrEqualTo((int) bound);
            assertThat(refused.get()).isLessThanOrEqualTo((int) (100 * bound));
            kafka.destroy();
        }
    }

    /**
     * Without a reachable broker every send blocks for the topic's metadata, up to the publish timeout: a step of
     * six messages to three topics blocks the relay about one publish timeout, not six.
     */
    @Test
    void aStepBlocksTheRelayAboutOnePublishTimeoutWhenTheBrokerCannotBeReached() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DefaultKafkaProducerFactory<String, String> base = new DefaultKafkaProducerFactory<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closedPort));
        KafkaOutboxPublisher kafka = KafkaOutboxPublisher.create(base, Duration.ofSeconds(1));
        try {
            List<OutboxMessage> messages = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                messages.add(new OutboxMessage(UUID.randomUUID(), "missing-" + (i % 3), "k", "counted", "{}",
                        Map.of(), 1));
            }
            long started = System.nanoTime();
            List<CompletableFuture<Void>> sent = kafka.publishAll(messages);
            Duration blocked = Duration.ofNanos(System.nanoTime() - started);

            assertThat(blocked).isLessThan(Duration.ofSeconds(3));
            assertThat(sent).hasSize(6).allMatch(CompletableFuture::isCompletedExceptionally);
        }
        finally {
            kafka.destroy();
        }
    }

    private static boolean published(ApplicationContext context, UUID id) {
        return "PUBLISHED".equals(new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("SELECT status FROM reliant_outbox WHERE id = ?", String.class, id));
    }
}
