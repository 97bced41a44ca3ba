package dev.reliant.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends outbox messages to a broker. The relay calls it outside any transaction and holds no database lock
 * meanwhile; it marks a message as published only when the returned future completes normally, which must mean
 * that the broker has acknowledged the message.
 * <p>
 * A future completed with a {@link NonRetryablePublishException} parks the message at once; any other failure
 * is retried with backoff.
 */
@FunctionalInterface
public interface OutboxPublisher {

    CompletableFuture<Void> publish(OutboxMessage message);

    /**
     * Sends several messages at once, each future completing as {@link #publish} would for its message. The relay
     * hands over this way the first message of every key it holds, then the next message of each key whose previous
     * one was acknowledged meanwhile. Publishers whose client sends a batch more
     * cheaply than one message at a time override it; this default publishes them one by one.
     */
    default List<CompletableFuture<Void>> publishAll(List<OutboxMessage> messages) {
        List<CompletableFuture<Void>> sent = new ArrayList<>(messages.size());
        for (OutboxMessage message : messages) {
            try {
                sent.add(publish(message));
            }
            catch (RuntimeException ex) {
                sent.add(CompletableFuture.failedFuture(ex));
            }
        }
        return sent;
    }

}
