package dev.reliant.idempotency.app;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How often each handler really ran, keyed by what the test controller was called with. Static because tests run
 * several application contexts in one JVM and count executions across all of them; keys are unique per test.
 */
public final class Executions {

    private static final ConcurrentHashMap<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();

    private Executions() {
    }

    static int record(String key) {
        return COUNTS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    public static int count(String key) {
        AtomicInteger count = COUNTS.get(key);
        return (count != null) ? count.get() : 0;
    }
}
