package dev.reliant.benchmarks.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.HdrHistogram.Histogram;

/**
 * A closed-loop load: a fixed number of clients, each a thread with a connection of its own, each making its next
 * call as soon as the last one returned, for a fixed time or until it has nothing left to do, recording every
 * call's time into an HdrHistogram. The connections are opened before the clock starts, and every client starts at
 * once.
 */
public final class ClosedLoop {

    private ClosedLoop() {
    }

    public static <C extends AutoCloseable> Result run(int clients, Duration duration, Callable<C> connect,
            Operation<C> operation) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch ready = new CountDownLatch(clients);
            CountDownLatch go = new CountDownLatch(1);
            long[] deadline = new long[1];
            List<Future<Histogram>> parts = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                parts.add(pool.submit(() -> {
                    Histogram histogram = new Histogram(3);
                    C connection;
                    try {
                        connection = connect.call();
                    }
                    finally {
                        // a client that cannot connect must not keep the others waiting; its failure surfaces below
                        ready.countDown();
                    }
                    try (connection) {
                        go.await();
                        boolean more = true;
                        while (more && System.nanoTime() < deadline[0]) {
                            long sent = System.nanoTime();
                            more = operation.call(connection);
                            histogram.recordValue(System.nanoTime() - sent);
                        }
                    }
                    return histogram;
                }));
            }
            ready.await();
            long start = System.nanoTime();
            deadline[0] = start + duration.toNanos();
            go.countDown();
            Histogram all = new Histogram(3);
            for (Future<Histogram> part : parts) {
                all.add(part.get());
            }
            return new Result(all, System.nanoTime() - start);
        }
        finally {
            pool.shutdownNow();
        }
    }

    /** One call of a client on its connection: false when the client has nothing left to do; it throws to fail. */
    @FunctionalInterface
    public interface Operation<C> {

        boolean call(C connection) throws Exception;

    }

    /**
     * What one run measured.
     *
     * @param latency call times in nanoseconds
     * @param wallNanos from the start to the last call's return
     */
    public record Result(Histogram latency, long wallNanos) {

        public long operations() {
            return latency.getTotalCount();
        }

        /** This result and {@code other} as one run: their calls together, their times added. */
        public Result plus(Result other) {
            Histogram both = new Histogram(3);
            both.add(latency);
            both.add(other.latency);
            return new Result(both, wallNanos + other.wallNanos);
        }

        public double perSecond() {
            return operations() / (wallNanos / 1e9);
        }

        public double p50Millis() {
            return latency.getValueAtPercentile(50) / 1e6;
        }

        public double p99Millis() {
            return latency.getValueAtPercentile(99) / 1e6;
        }

    }

}
