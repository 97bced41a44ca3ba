package dev.reliant.benchmarks.outbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The consumer side of every outbox run: a fresh destination on a broker, consumed without any processing,
 * remembering when each distinct message id first arrived.
 */
abstract class Receiver implements AutoCloseable {

    private final Map<String, Long> received = new ConcurrentHashMap<>();

    /** The exchange or topic the writers publish to. */
    abstract String destination();

    /** Records the arrival of a message, the first time its id is seen. */
    protected final void arrived(String id, long at) {
        if (id != null) {
            received.putIfAbsent(id, at);
        }
    }

    /** When the message with this id first arrived ({@link System#nanoTime()}), or {@code null}. */
    Long receivedAt(String id) {
        return received.get(id);
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

    /** Waits until {@code count} distinct messages have arrived, or {@code timeoutNanos} has passed. */
    void awaitCount(int count, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (received.size() < count && System.nanoTime() <= deadline) {
            Thread.sleep(5);
        }
    }

    /** The messages arrived so far and the time from the first arrival to the last, read in one pass. */
    Arrivals arrivals() {
        int count = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (long at : received.values()) {
            count++;
            first = Math.min(first, at);
            last = Math.max(last, at);
        }
        return new Arrivals(count, count == 0 ? 0 : last - first);
    }

    /**
     * Distinct messages arrived and the time between the first and the last arrival.
     *
     * @param count distinct messages arrived
     * @param spanNanos from the first arrival to the last
     */
    record Arrivals(int count, long spanNanos) {

        /** Arrivals per second between the first and the last: start-up before the first is left out. */
        double perSecond() {
            return (count - 1) / (spanNanos / 1e9);
        }

    }

    @Override
    public abstract void close() throws Exception;

}
