package dev.reliant.outbox.event;

import java.util.concurrent.CompletableFuture;

import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes each message as an {@link OutboxMessage} application event, for development and tests without a
 * broker. Listeners run on the relay's thread; a listener that throws fails the attempt, which is then retried.
 */
public class ApplicationEventOutboxPublisher implements OutboxPublisher {

    private final ApplicationEventPublisher events;

    public ApplicationEventOutboxPublisher(ApplicationEventPublisher events) {
        this.events = events;
    }

    @Override
    public CompletableFuture<Void> publish(OutboxMessage message) {
        events.publishEvent(message);
        return CompletableFuture.completedFuture(null);
    }
}
