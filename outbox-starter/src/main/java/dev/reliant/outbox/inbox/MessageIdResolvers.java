package dev.reliant.outbox.inbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.OutboxMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import org.springframework.util.ClassUtils;

/**
 * The resolvers for the message types on the class path. Each broker's types are touched only inside its own
 * nested class, which is loaded only when that broker's client is present.
 */
public final class MessageIdResolvers {

    private MessageIdResolvers() {
    }

    public static List<MessageIdResolver> available(ClassLoader classLoader) {
        List<MessageIdResolver> resolvers = new ArrayList<>();
        resolvers.add((argument) -> (argument instanceof OutboxMessage message) ? Optional.of(message.id().toString())
                : Optional.empty());
        if (ClassUtils.isPresent("org.apache.kafka.clients.consumer.ConsumerRecord", classLoader)) {
            resolvers.add(Kafka::resolve);
        }
        if (ClassUtils.isPresent("org.springframework.amqp.core.Message", classLoader)) {
            resolvers.add(Amqp::resolve);
        }
        if (ClassUtils.isPresent("org.springframework.messaging.Message", classLoader)) {
            resolvers.add(Messaging::resolve);
        }
        return resolvers;
    }

    private static final class Kafka {

        static Optional<String> resolve(Object argument) {
            if (argument instanceof ConsumerRecord<?, ?> record) {
                Header header = record.headers().lastHeader(OutboxHeaders.MESSAGE_ID);
                return Optional.ofNullable(header).map((h) -> new String(h.value(), StandardCharsets.UTF_8));
            }
            return Optional.empty();
        }
    }

    private static final class Amqp {

        static Optional<String> resolve(Object argument) {
            if (argument instanceof org.springframework.amqp.core.Message message) {
                return Optional.ofNullable(message.getMessageProperties().getMessageId());
            }
            return Optional.empty();
        }
    }

    private static final class Messaging {

        static Optional<String> resolve(Object argument) {
            if (argument instanceof org.springframework.messaging.Message<?> message) {
                Object id = message.getHeaders().get(OutboxHeaders.MESSAGE_ID);
                if (id instanceof byte[] bytes) {
                    return Optional.of(new String(bytes, StandardCharsets.UTF_8));
                }
                return Optional.ofNullable(id).map(Object::toString);
            }
            return Optional.empty();
        }
    }
}
