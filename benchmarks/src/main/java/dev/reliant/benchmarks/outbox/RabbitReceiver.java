package dev.reliant.benchmarks.outbox;

import java.io.IOException;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/** A RabbitMQ topic exchange with one queue bound to all keys, consumed with automatic acknowledgement. */
final class RabbitReceiver extends Receiver {

    private final Connection connection;

    private final Channel channel;

    private final String exchange;

    RabbitReceiver(URI rabbit) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(rabbit);
        }
        catch (Exception ex) {
            throw new IllegalArgumentException("Bad RabbitMQ URI " + rabbit, ex);
        }
        this.connection = factory.newConnection("reliant-benchmark-receiver");
        this.channel = connection.createChannel();
        this.exchange = "reliant.bench." + UUID.randomUUID().toString().substring(0, 8);
        channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
        channel.queueDeclare(exchange, false, true, true, null);
        channel.queueBind(exchange, exchange, "#");
        channel.basicQos(2000);
        channel.basicConsume(exchange, true,
                (tag, delivery) -> arrived(delivery.getProperties().getMessageId(), System.nanoTime()), tag -> {
                });
    }

    @Override
    String destination() {
        return exchange;
    }

    @Override
    public void close() throws IOException, TimeoutException {
        channel.close();
        connection.close();
    }

}
