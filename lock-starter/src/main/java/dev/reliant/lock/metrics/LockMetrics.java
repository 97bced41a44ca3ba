package dev.reliant.lock.metrics;

/** What the lock starter counts. */
public interface LockMetrics {

    /** Counts nothing, when no meter registry exists. */
    LockMetrics NONE = new LockMetrics() {
    };

    default void acquired(String lock) {
    }

    default void lost(String lock) {
    }

    default void refused(String resource) {
    }

}
