package dev.reliant.outbox.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.autoconfigure.OutboxAutoConfiguration;
import dev.reliant.outbox.support.KafkaTopic;
import dev.reliant.testsupport.TestKafka;
import dev.reliant.testsupport.TestPostgres;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
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
