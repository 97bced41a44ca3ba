package dev.reliant.sample.messaging;

import java.nio.charset.StandardCharsets;

import dev.reliant.outbox.OutboxHeaders;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;

/** Receives order events from Kafka, where the outbox publishes them to the {@code orders} topic. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = BrokerSelectionEnvironmentPostProcessor.PUBLISHER, havingValue = "kafka")
class KafkaOrderListener {

    private final OrderConfirmations confirmations;

    KafkaOrderListener(OrderConfirmations confirmations) {
        this.confirmations = confirmations;
    }

    @Bean
    NewTopic ordersTopic() {
        return new NewTopic(OrderEvents.DESTINATION, 3, (short) 1);
    }

    @KafkaListener(topics = OrderEvents.DESTINATION, groupId = "reliant-sample-order-confirmations")
    void on(ConsumerRecord<String, String> record) {
        if (OrderEvents.ORDER_CREATED.equals(header(record, OutboxHeaders.MESSAGE_TYPE))) {
            confirmations.orderCreated(header(record, OutboxHeaders.MESSAGE_ID), record.key());
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
    }
}
