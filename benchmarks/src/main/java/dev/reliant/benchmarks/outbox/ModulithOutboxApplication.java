package dev.reliant.benchmarks.outbox;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The same workload on Spring Modulith's JDBC event publication registry. Maven Central has no Spring Modulith 2.x
 * externalization module for RabbitMQ, so an {@link ApplicationModuleListener} publishes each event with the
 * {@link RabbitTemplate} (without waiting for a publisher confirm, as Modulith's externalization does); the
 * registry marks the publication completed when the listener returns.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableAsync
public class ModulithOutboxApplication {

    @Bean
    OrderWriter orderWriter(TransactionTemplate transactions, JdbcTemplate jdbc, ApplicationEventPublisher events) {
        return () -> transactions.execute(status -> {
            UUID order = UUID.randomUUID();
            jdbc.update("INSERT INTO orders (id, payload) VALUES (?, ?)", order, OutboxBenchmark.PAYLOAD);
            events.publishEvent(new OrderPlaced(order.toString(), OutboxBenchmark.PAYLOAD));
            return order.toString();
        });
    }

    @Bean
    OrderPlacedRelay orderPlacedRelay(RabbitTemplate rabbit, Environment environment) {
        return new OrderPlacedRelay(rabbit, environment.getRequiredProperty("benchmark.exchange"));
    }

    /** The event; its order id doubles as the message id the receiver counts. */
    public record OrderPlaced(String order, String payload) {
    }

    /** Sends each event to RabbitMQ after the writing transaction committed. */
    public static class OrderPlacedRelay {

        private final RabbitTemplate rabbit;

        private final String exchange;

        OrderPlacedRelay(RabbitTemplate rabbit, String exchange) {
            this.rabbit = rabbit;
            this.exchange = exchange;
        }

        @ApplicationModuleListener
        public void on(OrderPlaced event) {
            MessageProperties properties = new MessageProperties();
            properties.setMessageId(event.order());
            properties.setType("order.placed");
            properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
            byte[] body = ("{\"order\":\"" + event.order() + "\",\"payload\":\"" + event.payload() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
            rabbit.send(exchange, event.order(), new Message(body, properties));
        }

    }

}
