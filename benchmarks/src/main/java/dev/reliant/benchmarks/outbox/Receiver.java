package dev.reliant.benchmarks.outbox;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The consumer side of every outbox run: a RabbitMQ topic exchange with one queue bound to all keys, consumed
 * with automatic acknowledgement, remembering when each distinct message id first arrived.
 */
final class Receiver implements AutoCloseable {

    private final Connection connection;

    private final Channel channel;

    private final String exchange;

    private final String queue;

    private final Map<String, Long> received = new ConcurrentHashMap<>();

    Receiver(URI rabbit) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(rabbit);
        }
        catch (Exception ex) {
            throw new IllegalArgumentException("Bad RabbitMQ URI " + rabbit, ex);
        }
        this.connection = factory.newConnection("reliant-benchmark-receiver");
        this.channel = connection.createChannel();
        String name = "reliant.bench." + UUID.randomUUID().toString().substring(0, 8);
        this.exchange = name;
        this.queue = name;
        channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
        channel.queueDeclare(queue, false, true, true, null);
        channel.queueBind(queue, exchange, "#");
        channel.basicQos(2000);
        channel.basicConsume(queue, true, (tag, delivery) -> {
            long now = System.nanoTime();
            String id = delivery.getProperties().getMessageId();
            if (id != null) {
                received.putIfAbsent(id, now);
            }
        }, tag -> {
        });
    }

    String exchange() {
        return exchange;
    }

    /** When the message with this id first arrived ({@link System#nanoTime()}), or {@code null}. */
    Long receivedAt(String id) {
        return received.get(id);
    }

    int distinct() {
        return received.size();
    }

    /** Waits until every one of {@code ids} has arrived; false when {@code timeoutNanos} passed first. */
    boolean awaitAll(Iterable<String> ids, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        for (String id : ids) {
            while (!received.containsKey(id)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(2);
            }
        }
        return true;
    }

    /** Waits until {@code count} distinct messages have arrived; false when {@code timeoutNanos} passed first. */
    boolean awaitCount(int count, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Nanoseconds from the first arrival to the last. */
    long receiveSpanNanos() {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (long at : received.values()) {
            first = Math.min(first, at);
            last = Math.max(last, at);
        }
        return last - first;
    }

    @Override
    public void close() throws IOException, TimeoutException {
        channel.close();
        connection.close();
    }

}
