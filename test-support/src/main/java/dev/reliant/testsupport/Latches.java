package dev.reliant.testsupport;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waiting for a latch inside a callback that may not throw checked exceptions. */
public final class Latches {

    private Latches() {
    }

    /** Waits up to 30 seconds for {@code latch} to open; fails when it does not. */
    public static void awaitOpen(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("The latch did not open within 30 seconds");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
