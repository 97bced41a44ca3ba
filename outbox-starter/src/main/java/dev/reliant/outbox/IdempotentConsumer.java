package dev.reliant.outbox;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated listener method through the {@link Inbox}: a message whose id this consumer already
 * processed is skipped, and the record of the id commits or rolls back with the method's own writes. The id is
 * taken from the method's message argument: a Kafka {@code ConsumerRecord} (header
 * {@value OutboxHeaders#MESSAGE_ID}), a RabbitMQ {@code Message} (message id), a Spring messaging
 * {@code Message} (header {@value OutboxHeaders#MESSAGE_ID}) or an {@link OutboxMessage}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface IdempotentConsumer {

    /** The consumer name; {@code reliant.outbox.inbox.consumer} when empty. */
    String value() default "";

}
