package dev.reliant.sample.messaging;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Receives order events from RabbitMQ, where the outbox publishes them to the {@code orders} exchange. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = BrokerSelectionEnvironmentPostProcessor.PUBLISHER, havingValue = "rabbit")
class RabbitOrderListener {

    static final String QUEUE = "reliant-sample.order-confirmations";

    private final OrderConfirmations confirmations;

    RabbitOrderListener(OrderConfirmations confirmations) {
        this.confirmations = confirmations;
    }

    @Bean
    TopicExchange ordersExchange() {
        return new TopicExchange(OrderEvents.DESTINATION);
    }

    @Bean
    Queue orderConfirmationsQueue() {
        return new Queue(QUEUE);
    }

    @Bean
    Binding orderConfirmationsBinding(Queue orderConfirmationsQueue, TopicExchange ordersExchange) {
        return BindingBuilder.bind(orderConfirmationsQueue).to(ordersExchange).with("#");
    }

    @RabbitListener(queues = QUEUE)
    void on(Message message) {
        if (OrderEvents.ORDER_CREATED.equals(message.getMessageProperties().getType())) {
            confirmations.orderCreated(message.getMessageProperties().getMessageId(),
                    message.getMessageProperties().getReceivedRoutingKey());
        }
    }
}
