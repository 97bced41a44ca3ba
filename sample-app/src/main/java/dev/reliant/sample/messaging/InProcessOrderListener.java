package dev.reliant.sample.messaging;

import dev.reliant.outbox.OutboxMessage;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Receives order events published as Spring application events (the default, without a broker). */
@Component
@ConditionalOnProperty(name = BrokerSelectionEnvironmentPostProcessor.PUBLISHER, havingValue = "in-process")
class InProcessOrderListener {

    private final OrderConfirmations confirmations;

    InProcessOrderListener(OrderConfirmations confirmations) {
        this.confirmations = confirmations;
    }

    @EventListener(condition = "#message.type == '" + OrderEvents.ORDER_CREATED + "'")
    void on(OutboxMessage message) {
        confirmations.orderCreated(message.id().toString(), message.key());
    }
}
