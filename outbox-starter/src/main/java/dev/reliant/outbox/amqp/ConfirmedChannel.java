package dev.reliant.outbox.amqp;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.reliant.outbox.NonRetryablePublishException;

import org.springframework.amqp.rabbit.connection.Connection;

/**
 * A RabbitMQ channel in confirm mode that completes each message's future when the broker confirms it. Only one
 * thread publishes on it; the broker's confirms, returns and the channel's closing arrive on the connection's
 * thread. The broker confirms many messages at once ({@code multiple}), and one such confirm completes every message
 * up to it in one pass. A message published mandatory that no queue took comes back before its confirm, which then
 * completes it as unroutable.
 */
final class ConfirmedChannel implements ConfirmListener, ReturnListener, ShutdownListener {

    private final Connection connection;

    private final Channel channel;

    /** The messages the broker has not confirmed yet, by their publish sequence number on this channel. */
    private final ConcurrentSkipListMap<Long, Unconfirmed> unconfirmed = new ConcurrentSkipListMap<>();

    private ConfirmedChannel(Connection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
    }

    /**
     * Opens a channel on {@code connection}, which the channel gives back when it is closed: a connection
     * factory that caches connections rather than channels lends each caller one of its own.
     */
    static ConfirmedChannel open(Connection connection) throws IOException {
        ConfirmedChannel confirmed = null;
        try {
            Channel channel = connection.getDelegate().createChannel();
            if (channel == null) {
                throw new IOException("RabbitMQ connection has no channel left (channel_max reached)");
            }
            confirmed = new ConfirmedChannel(connection, channel);
            channel.addShutdownListener(confirmed);
            channel.addConfirmListener(confirmed);
            channel.addReturnListener(confirmed);
            channel.confirmSelect();
            return confirmed;
        }
        catch (IOException | RuntimeException ex) {
            if (confirmed != null) {
                confirmed.close();
            }
            else {
                connection.close();
            }
            throw ex;
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    CompletableFuture<Void> publish(String exchange, String routingKey, String messageId,
            AMQP.BasicProperties properties, byte[] body) {
        Unconfirmed message = new Unconfirmed(messageId);
        long sequence = channel.getNextPublishSeqNo();
        unconfirmed.put(sequence, message);
        try {
            channel.basicPublish(exchange, routingKey, true, properties, body);
        }
        catch (IOException | RuntimeException ex) {
            unconfirmed.remove(sequence);
            message.future.completeExceptionally(ex);
        }
        return message.future;
    }

    /**
     * Closes the channel, whether or not it is still open (the broker's answer does not matter here), and gives
     * back its connection.
     */
    void close() {
        try {
            channel.abort();
        }
        catch (IOException ex) {
            // abort already swallows the broker's errors; nothing is left to undo
        }
        finally {
            connection.close();
        }
    }

    @Override
    public void handleAck(long sequence, boolean multiple) {
        settle(sequence, multiple, null);
    }

    @Override
    public void handleNack(long sequence, boolean multiple) {
        settle(sequence, multiple, "RabbitMQ did not confirm the message (nack)");
    }

    private void settle(long sequence, boolean multiple, String refusal) {
        if (!multiple) {
            Unconfirmed message = unconfirmed.remove(sequence);
            if (message != null) {
                message.settle(refusal);
            }
            return;
        }
        Map.Entry<Long, Unconfirmed> first;
        while ((first = unconfirmed.firstEntry()) != null && first.getKey() <= sequence) {
            if (unconfirmed.remove(first.getKey(), first.getValue())) {
                first.getValue().settle(refusal);
            }
        }
    }

    @Override
    public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
            AMQP.BasicProperties properties, byte[] body) {
        String messageId = properties.getMessageId();
        for (Unconfirmed message : unconfirmed.values()) {
            if (message.returned == null && message.messageId.equals(messageId)) {
                message.returned = "RabbitMQ returned the message as unroutable: " + replyCode + " " + replyText
                        + " (exchange '" + exchange + "', routing key '" + routingKey + "')";
                return;
            }
        }
    }

    /** Fails every unconfirmed message: the broker may or may not have taken it, so the relay sends it again. */
    @Override
    public void shutdownCompleted(ShutdownSignalException cause) {
        Map.Entry<Long, Unconfirmed> first;
        while ((first = unconfirmed.pollFirstEntry()) != null) {
            first.getValue().future.completeExceptionally(cause);
        }
    }

    private static final class Unconfirmed {

        private final String messageId;

        private final CompletableFuture<Void> future = new CompletableFuture<>();

        /** Written and read on the connection's thread only: a return precedes the confirm of its message. */
        private String returned;

        private Unconfirmed(String messageId) {
            this.messageId = messageId;
        }

        private void settle(String refusal) {
            if (returned != null) {
                future.completeExceptionally(new NonRetryablePublishException(returned));
            }
            else if (refusal != null) {
                future.completeExceptionally(new IllegalStateException(refusal));
            }
            else {
                future.complete(null);
            }
        }
    }
}
