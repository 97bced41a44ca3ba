package dev.reliant.outbox.amqp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.reliant.outbox.NonRetryablePublishException;
import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes persistent messages to the RabbitMQ exchange named by the destination, with the outbox key (or type)
 * as routing key, the id as message id and the type as message type. A message counts as published only when the
 * broker confirmed it; as it is sent mandatory, one that no queue took is returned and parked as unroutable.
 */
public class RabbitOutboxPublisher implements OutboxPublisher {

    private final RabbitTemplate template;

    private final RabbitRoutingKey routingKey;

    public RabbitOutboxPublisher(ConnectionFactory connectionFactory, RabbitRoutingKey routingKey) {
        if (!connectionFactory.isPublisherConfirms() || !connectionFactory.isPublisherReturns()) {
            throw new RabbitPublisherConfirmsRequiredException(connectionFactory.isPublisherConfirms(),
                    connectionFactory.isSimplePublisherConfirms(), connectionFactory.isPublisherReturns());
        }
        this.template = new RabbitTemplate(connectionFactory);
        this.template.setMandatory(true);
        this.routingKey = routingKey;
    }

    @Override
    public CompletableFuture<Void> publish(OutboxMessage message) {
        return send(template, message);
    }

    /** Sends the batch on one channel, instead of taking one from the channel cache and returning it per message. */
    @Override
    public List<CompletableFuture<Void>> publishAll(List<OutboxMessage> messages) {
        return template.invoke((operations) -> {
            List<CompletableFuture<Void>> sent = new ArrayList<>(messages.size());
            for (OutboxMessage message : messages) {
                sent.add(send(operations, message));
            }
            return sent;
        });
    }

    private CompletableFuture<Void> send(RabbitOperations operations, OutboxMessage message) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(message.id().toString());
        properties.setType(message.type());
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setContentEncoding("UTF-8");
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        message.headers().forEach(properties::setHeader);
        properties.setHeader(OutboxHeaders.MESSAGE_ID, message.id().toString());
        properties.setHeader(OutboxHeaders.MESSAGE_TYPE, message.type());
        Message amqp = new Message(message.payload().getBytes(StandardCharsets.UTF_8), properties);
        CorrelationData correlation = new CorrelationData(message.id().toString());
        String key = (routingKey == RabbitRoutingKey.TYPE) ? message.type() : message.key();
        try {
            operations.send(message.destination(), key, amqp, correlation);
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        return correlation.getFuture().thenApply((confirm) -> {
            ReturnedMessage returned = correlation.getReturned();
            if (returned != null) {
                throw new NonRetryablePublishException("RabbitMQ returned the message as unroutable: "
                        + returned.getReplyCode() + " " + returned.getReplyText() + " (exchange '"
                        + returned.getExchange() + "', routing key '" + returned.getRoutingKey() + "')");
            }
            if (!confirm.ack()) {
                throw new IllegalStateException("RabbitMQ did not confirm the message: " + confirm.reason());
            }
            return null;
        });
    }
}
