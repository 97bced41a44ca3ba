package dev.reliant.outbox;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an event type whose instances go to the outbox when they are published as Spring application events: with
 * {@code ApplicationEventPublisher#publishEvent}, or registered on an aggregate ({@code AbstractAggregateRoot},
 * {@code @DomainEvents}) that a Spring Data repository saves. The message is written in the publishing thread's
 * transaction, so it commits or rolls back with the entities saved in it; publishing outside a transaction bound to
 * the outbox's {@code DataSource} fails with {@link OutboxTransactionRequiredException}.
 *
 * <pre class="code">
 * &#64;Externalized(destination = "orders", key = "orderId")
 * public record OrderPlaced(String orderId, long amountCents) {
 * }
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Externalized {

    /** The Kafka topic or RabbitMQ exchange. */
    String destination();

    /**
     * A SpEL expression evaluated on the event that gives its ordering key (messages of one key are delivered in
     * commit order), e.g. {@code "orderId"} or {@code "customer.id"}. It must not yield {@code null}.
     */
    String key();

    /** The event type sent as a header; the event class's simple name when empty. */
    String type() default "";

}
