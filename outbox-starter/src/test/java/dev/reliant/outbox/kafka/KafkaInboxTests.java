package dev.reliant.outbox.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.reliant.outbox.IdempotentConsumer;
import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.autoconfigure.OutboxAutoConfiguration;
import dev.reliant.outbox.support.KafkaTopic;
import dev.reliant.testsupport.TestKafka;
import dev.reliant.testsupport.TestPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A {@code @KafkaListener} behind the inbox applies a message once, however often it is delivered. */
class KafkaInboxTests {

    @Test
    void aKafkaListenerBehindTheInboxAppliesARedeliveredMessageOnce() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        try (KafkaTopic topic = new KafkaTopic(1)) {
            new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                        KafkaAutoConfiguration.class, OutboxAutoConfiguration.class))
                .withUserConfiguration(Billing.class)
                .withPropertyValues(schema.springProperties())
                .withPropertyValues("spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                        "spring.kafka.consumer.auto-offset-reset=earliest", "test.topic=" + topic.name,
                        "reliant.outbox.channel=outbox_" + schema.name())
                .run((context) -> {
                    JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
                    jdbc.execute("CREATE TABLE charges (message_id text NOT NULL)");
                    UUID id = context.getBean(TransactionTemplate.class)
                        .execute((status) -> context.getBean(Outbox.class).publish(topic.name, "order-1",
                                "order.placed", Map.of("total", 10)));
                    Billing billing = context.getBean(Billing.class);
                    await().atMost(Duration.ofSeconds(60)).until(() -> billing.deliveries.size() == 1);

                    // the broker delivers the very same record again, as after a relay crash
                    ConsumerRecord<String, String> first = billing.deliveries.get(0);
                    @SuppressWarnings("unchecked")
                    KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
                    template.send(new ProducerRecord<>(topic.name, null, first.key(), first.value(),
                            first.headers())).get();
                    await().atMost(Duration.ofSeconds(60)).until(() -> billing.deliveries.size() == 2);

                    assertThat(jdbc.queryForList("SELECT message_id FROM charges", String.class))
                        .containsExactly(id.toString());
                });
        }
    }

    @Test
    void anIdempotentConsumerListenerAppliesARedeliveredMessageOnce() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        try (KafkaTopic topic = new KafkaTopic(1)) {
            new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                        KafkaAutoConfiguration.class, OutboxAutoConfiguration.class))
                .withUserConfiguration(AnnotatedBilling.class)
                .withPropertyValues(schema.springProperties())
                .withPropertyValues("spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                        "spring.kafka.consumer.auto-offset-reset=earliest", "test.topic=" + topic.name,
                        "reliant.outbox.channel=outbox_" + schema.name())
                .run((context) -> {
                    JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
                    jdbc.execute("CREATE TABLE charges (message_id text NOT NULL)");
                    UUID id = context.getBean(TransactionTemplate.class)
                        .execute((status) -> context.getBean(Outbox.class).publish(topic.name, "order-1",
                                "order.placed", Map.of("total", 10)));
                    await().atMost(Duration.ofSeconds(60))
                        .until(() -> jdbc.queryForObject("SELECT count(*) FROM charges", Long.class) == 1);

                    try (KafkaTopic reader = topic.sameTopicReader()) {
                        await().atMost(Duration.ofSeconds(60)).until(() -> !reader.poll(Duration.ofMillis(200)).isEmpty());
                        ConsumerRecord<String, String> first = reader.poll(Duration.ZERO).get(0);
                        @SuppressWarnings("unchecked")
                        KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
                        template.send(new ProducerRecord<>(topic.name, null, first.key(), first.value(),
                                first.headers())).get();
                        await().atMost(Duration.ofSeconds(60)).until(() -> reader.poll(Duration.ofMillis(200)).size() == 2);
                    }
                    // the listener has consumed both records once its group's committed offset is past them
                    await().atMost(Duration.ofSeconds(60)).until(() -> committedOffset(topic.name, "annotated-billing") == 2);
                    assertThat(context.getBean(AnnotatedBilling.class).calls()).isOne();
                    assertThat(jdbc.queryForList("SELECT message_id FROM charges", String.class))
                        .containsExactly(id.toString());
                });
        }
    }

    private static long committedOffset(String topic, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .get(new TopicPartition(topic, 0));
            return (offset != null) ? offset.offset() : 0;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AnnotatedBilling {

        private final AtomicInteger calls = new AtomicInteger();

        private final JdbcTemplate jdbc;

        AnnotatedBilling(DataSource dataSource) {
            this.jdbc = new JdbcTemplate(dataSource);
        }

        /** How often the listener's body ran (the bean is a proxy: read through a method). */
        public int calls() {
            return calls.get();
        }

        @KafkaListener(topics = "${test.topic}", groupId = "annotated-billing")
        @IdempotentConsumer("billing")
        public void on(ConsumerRecord<String, String> record) {
            calls.incrementAndGet();
            String id = new String(record.headers().lastHeader(OutboxHeaders.MESSAGE_ID).value(),
                    StandardCharsets.UTF_8);
            jdbc.update("INSERT INTO charges VALUES (?)", id);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Billing {

        final List<ConsumerRecord<String, String>> deliveries = new CopyOnWriteArrayList<>();

        private final Inbox inbox;

        private final JdbcTemplate jdbc;

        Billing(Inbox inbox, DataSource dataSource) {
            this.inbox = inbox;
            this.jdbc = new JdbcTemplate(dataSource);
        }

        @KafkaListener(topics = "${test.topic}", groupId = "billing")
        void on(ConsumerRecord<String, String> record) {
            String id = new String(record.headers().lastHeader(OutboxHeaders.MESSAGE_ID).value(),
                    StandardCharsets.UTF_8);
            inbox.process("billing", id, () -> jdbc.update("INSERT INTO charges VALUES (?)", id));
            deliveries.add(record);
        }
    }
}
