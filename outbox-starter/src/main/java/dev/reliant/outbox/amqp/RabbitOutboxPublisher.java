package dev.reliant.outbox.amqp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.rabbitmq.client.AMQP;
import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Publishes persistent messages to the RabbitMQ exchange named by the destination, with the outbox key (or type)
 * as routing key, the id as message id and the type as message type. A message counts as published only when the
 * broker confirmed it; as it is sent mandatory, one that no queue took is returned and parked as unroutable.
 * <p>
 * Each publishing thread (a relay worker) gets a channel of its own in confirm mode, opened on the application's
 * RabbitMQ connection, rather than going through a {@code RabbitTemplate}: the broker confirms many messages at once
 * and one confirm completes them all in one pass, without a correlation object, a channel taken from the cache or a
 * message conversion per message. The application's connection factory therefore needs no publisher confirms or
 * returns of its own. A channel the broker closes (an exchange that does not exist, a lost connection) fails only
 * that worker's unconfirmed messages, which the relay sends again; the next call opens a new one.
 */
public class RabbitOutboxPublisher implements OutboxPublisher, DisposableBean {

    private final ConnectionFactory connectionFactory;

    private final RabbitRoutingKey routingKey;

    private final Map<Thread, ConfirmedChannel> channels = new ConcurrentHashMap<>();

    public RabbitOutboxPublisher(ConnectionFactory connectionFactory, RabbitRoutingKey routingKey) {
        this.connectionFactory = connectionFactory;
        this.routingKey = routingKey;
    }

    @Override
    public CompletableFuture<Void> publish(OutboxMessage message) {
        return publishAll(List.of(message)).get(0);
    }

    @Override
    public List<CompletableFuture<Void>> publishAll(List<OutboxMessage> messages) {
        List<CompletableFuture<Void>> sent = new ArrayList<>(messages.size());
        ConfirmedChannel channel;
        try {
            channel = channel();
        }
        catch (IOException | RuntimeException ex) {
            messages.forEach((message) -> sent.add(CompletableFuture.failedFuture(ex)));
            return sent;
        }
        for (OutboxMessage message : messages) {
            String id = message.id().toString();
            Map<String, Object> headers = new HashMap<>(message.headers());
            headers.put(OutboxHeaders.MESSAGE_ID, id);
            headers.put(OutboxHeaders.MESSAGE_TYPE, message.type());
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(id)
                .type(message.type())
                .contentType("application/json")
                .contentEncoding("UTF-8")
                .deliveryMode(2)
                .headers(headers)
                .build();
            String key = (routingKey == RabbitRoutingKey.TYPE) ? message.type() : message.key();
            sent.add(channel.publish(message.destination(), key, id, properties,
                    message.payload().getBytes(StandardCharsets.UTF_8)));
        }
        return sent;
    }

    private ConfirmedChannel channel() throws IOException {
        Thread thread = Thread.currentThread();
        ConfirmedChannel channel = channels.get(thread);
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        // threads of a stopped relay leave their channels behind; a new channel is the moment to close them
        channels.entrySet().removeIf((entry) -> {
            boolean gone = !entry.getKey().isAlive() || entry.getKey() == thread;
            if (gone) {
                entry.getValue().close();
            }
            return gone;
        });
        channel = ConfirmedChannel.open(connectionFactory.createConnection());
        channels.put(thread, channel);
        return channel;
    }

    /** Closes the channels; messages still unconfirmed fail, to be sent again by whichever relay claims them next. */
    @Override
    public void destroy() {
        channels.values().forEach(ConfirmedChannel::close);
        channels.clear();
    }
}
