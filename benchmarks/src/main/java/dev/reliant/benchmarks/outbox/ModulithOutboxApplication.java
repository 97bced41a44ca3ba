package dev.reliant.benchmarks.outbox;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import dev.reliant.outbox.OutboxHeaders;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The same workload on Spring Modulith's JDBC event publication registry. Maven Central has no Spring Modulith 2.x
 * externalization module for RabbitMQ or Kafka, so an {@link ApplicationModuleListener} publishes each event with
 * the {@link RabbitTemplate} or {@link KafkaTemplate} ({@code benchmark.broker}), without waiting for the broker's
 * acknowledgement, as Modulith's externalization does; the registry marks the publication completed when the
 * listener returns.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableAsync
public class ModulithOutboxApplication {

    @Bean
    OrderWriter orderWriter(TransactionTemplate transactions, JdbcTemplate jdbc, ApplicationEventPublisher events) {
        return () -> transactions.execute(status -> {
            UUID order = Orders.insert(jdbc);
            events.publishEvent(new OrderPlaced(order.toString(), OutboxBenchmark.PAYLOAD));
            return order.toString();
        });
    }

    @Bean
    @ConditionalOnProperty(name = "benchmark.broker", havingValue = "rabbit")
    RabbitRelay rabbitRelay(RabbitTemplate rabbit, Environment environment) {
        return new RabbitRelay(rabbit, environment.getRequiredProperty("benchmark.destination"));
    }

    @Bean
    @ConditionalOnProperty(name = "benchmark.broker", havingValue = "kafka")
    KafkaRelay kafkaRelay(KafkaTemplate<String, String> kafka, Environment environment) {
        return new KafkaRelay(kafka, environment.getRequiredProperty("benchmark.destination"));
    }

    /** The event; its order id doubles as the message id the receiver counts. */
    public record OrderPlaced(String order, String payload) {
    }

    static String json(OrderPlaced event) {
        return "{\"order\":\"" + event.order() + "\",\"payload\":\"" + event.payload() + "\"}";
    }

    /** Sends each event to RabbitMQ after the writing transaction committed. */
    public static class RabbitRelay {

        private final RabbitTemplate rabbit;

        private final String exchange;

        RabbitRelay(RabbitTemplate rabbit, String exchange) {
            this.rabbit = rabbit;
            this.exchange = exchange;
        }

        @ApplicationModuleListener
        public void on(OrderPlaced event) {
            MessageProperties properties = new MessageProperties();
            properties.setMessageId(event.order());
            properties.setType("order.placed");
            properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
            rabbit.send(exchange, event.order(), new Message(json(event).getBytes(StandardCharsets.UTF_8), properties));
        }

    }

    /** Sends each event to Kafka after the writing transaction committed, without waiting for the broker. */
    public static class KafkaRelay {

        private final KafkaTemplate<String, String> kafka;

        private final String topic;

        KafkaRelay(KafkaTemplate<String, String> kafka, String topic) {
            this.kafka = kafka;
            this.topic = topic;
        }

        @ApplicationModuleListener
        public void on(OrderPlaced event) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, event.order(), json(event));
            record.headers().add(OutboxHeaders.MESSAGE_ID, event.order().getBytes(StandardCharsets.UTF_8));
            kafka.send(record);
        }

    }

}
