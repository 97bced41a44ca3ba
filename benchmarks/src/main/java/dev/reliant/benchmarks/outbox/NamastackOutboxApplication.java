package dev.reliant.benchmarks.outbox;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.reliant.outbox.OutboxHeaders;
import io.namastack.outbox.Outbox;
import io.namastack.outbox.handler.OutboxRecordMetadata;
import io.namastack.outbox.handler.OutboxTypedHandler;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The same workload on Namastack Outbox 1.6.0 (JDBC): {@link Outbox#schedule} in the writing transaction, and a
 * typed handler that publishes each record and waits for the broker's acknowledgement (publisher confirm, or the
 * Kafka send result), since Maven Central has no Namastack RabbitMQ module.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableScheduling
public class NamastackOutboxApplication {

    @Bean
    OrderWriter orderWriter(TransactionTemplate transactions, JdbcTemplate jdbc, Outbox outbox) {
        return () -> transactions.execute(status -> {
            UUID order = Orders.insert(jdbc);
            outbox.schedule(new ModulithOutboxApplication.OrderPlaced(order.toString(), OutboxBenchmark.PAYLOAD),
                    order.toString());
            return order.toString();
        });
    }

    @Bean
    @ConditionalOnProperty(name = "benchmark.broker", havingValue = "rabbit")
    RabbitHandler rabbitHandler(RabbitTemplate rabbit, Environment environment) {
        return new RabbitHandler(rabbit, environment.getRequiredProperty("benchmark.destination"));
    }

    @Bean
    @ConditionalOnProperty(name = "benchmark.broker", havingValue = "kafka")
    KafkaHandler kafkaHandler(KafkaTemplate<String, String> kafka, Environment environment) {
        return new KafkaHandler(kafka, environment.getRequiredProperty("benchmark.destination"));
    }

    /** Publishes each record to RabbitMQ and returns once the broker confirmed it. */
    public static class RabbitHandler implements OutboxTypedHandler<ModulithOutboxApplication.OrderPlaced> {

        private final RabbitTemplate rabbit;

        private final String exchange;

        RabbitHandler(RabbitTemplate rabbit, String exchange) {
            this.rabbit = rabbit;
            this.exchange = exchange;
        }

        @Override
        public void handle(ModulithOutboxApplication.OrderPlaced event, OutboxRecordMetadata metadata) {
            MessageProperties properties = new MessageProperties();
            properties.setMessageId(event.order());
            properties.setType("order.placed");
            properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
            CorrelationData correlation = new CorrelationData(event.order());
            rabbit.send(exchange, event.order(), new Message(
                    ModulithOutboxApplication.json(event).getBytes(StandardCharsets.UTF_8), properties), correlation);
            try {
                CorrelationData.Confirm confirm = correlation.getFuture().get(20, TimeUnit.SECONDS);
                if (!confirm.ack()) {
                    throw new IllegalStateException("Not confirmed: " + confirm.reason());
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            catch (Exception ex) {
                throw new IllegalStateException("No confirm for " + event.order(), ex);
            }
        }

    }

    /** Publishes each record to Kafka and returns once the broker acknowledged it. */
    public static class KafkaHandler implements OutboxTypedHandler<ModulithOutboxApplication.OrderPlaced> {

        private final KafkaTemplate<String, String> kafka;

        private final String topic;

        KafkaHandler(KafkaTemplate<String, String> kafka, String topic) {
            this.kafka = kafka;
            this.topic = topic;
        }

        @Override
        public void handle(ModulithOutboxApplication.OrderPlaced event, OutboxRecordMetadata metadata) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, event.order(),
                    ModulithOutboxApplication.json(event));
            record.headers().add(OutboxHeaders.MESSAGE_ID, event.order().getBytes(StandardCharsets.UTF_8));
            try {
                kafka.send(record).get(20, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            catch (Exception ex) {
                throw new IllegalStateException("No acknowledgement for " + event.order(), ex);
            }
        }

    }

}
