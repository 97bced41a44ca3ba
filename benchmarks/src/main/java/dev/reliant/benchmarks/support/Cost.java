package dev.reliant.benchmarks.support;

import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;

/**
 * Latency and what one operation sends, over repeated calls: each counter (statements, commits, commands…) is read
 * before and after every call, and only recorded calls count.
 */
public final class Cost {

    private final Histogram latency = new Histogram(3);

    private final LongSupplier[] counters;

    private final long[] counted;

    private long operations;

    public Cost(LongSupplier... counters) {
        this.counters = counters;
        this.counted = new long[counters.length];
    }

    public void measure(boolean record, Runnable operation) {
        long[] before = read();
        long start = System.nanoTime();
        operation.run();
        long nanos = System.nanoTime() - start;
        if (record) {
            latency.recordValue(nanos);
            long[] after = read();
            for (int i = 0; i < counters.length; i++) {
                counted[i] += after[i] - before[i];
            }
            operations++;
        }
    }

    /** The recorded calls. */
    public long operations() {
        return operations;
    }

    public double micros(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e3;
    }

    public double millis(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e6;
    }

    /** Every counter's increase per recorded call, added up. */
    public double perOperation() {
        long total = 0;
        for (long count : counted) {
            total += count;
        }
        return (double) total / operations;
    }

    /** One counter's increase per recorded call, the counter given by its position in the constructor. */
    public double perOperation(int counter) {
        return (double) counted[counter] / operations;
    }

    private long[] read() {
        long[] values = new long[counters.length];
        for (int i = 0; i < counters.length; i++) {
            values[i] = counters[i].getAsLong();
        }
        return values;
    }

}
