package dev.reliant.outbox.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;

/**
 * A publisher that plays the broker and the consumer at once: it records every delivery, per key in arrival
 * order, and can be told to fail for a while.
 */
public final class Ledger implements OutboxPublisher {

    private final ConcurrentLinkedQueue<OutboxMessage> deliveries = new ConcurrentLinkedQueue<>();

    private final Map<String, List<OutboxMessage>> byKey = new ConcurrentHashMap<>();

    private volatile Predicate<OutboxMessage> failing = (message) -> false;

    private volatile RuntimeException failure = new IllegalStateException("broker unavailable");

    @Override
    public CompletableFuture<Void> publish(OutboxMessage message) {
        if (failing.test(message)) {
            return CompletableFuture.failedFuture(failure);
        }
        deliveries.add(message);
        byKey.computeIfAbsent(message.key(), (key) -> Collections.synchronizedList(new ArrayList<>())).add(message);
        return CompletableFuture.completedFuture(null);
    }

    /** Fails every message that matches, with {@code failure}, until told otherwise. */
    public void failWhen(Predicate<OutboxMessage> failing, RuntimeException failure) {
        this.failure = failure;
        this.failing = failing;
    }

    public void recover() {
        this.failing = (message) -> false;
    }

    public int size() {
        return deliveries.size();
    }

    public List<OutboxMessage> all() {
        return List.copyOf(deliveries);
    }

    public Set<UUID> ids() {
        Set<UUID> ids = ConcurrentHashMap.newKeySet();
        deliveries.forEach((message) -> ids.add(message.id()));
        return ids;
    }

    public List<OutboxMessage> forKey(String key) {
        List<OutboxMessage> messages = byKey.get(key);
        if (messages == null) {
            return List.of();
        }
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    public Map<String, List<OutboxMessage>> byKey() {
        return byKey;
    }
}
