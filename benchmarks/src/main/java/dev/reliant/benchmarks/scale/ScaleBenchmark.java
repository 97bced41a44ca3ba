package dev.reliant.benchmarks.scale;

import dev.reliant.benchmarks.idempotency.RedisStoreScale;
import dev.reliant.benchmarks.outbox.BacklogScale;
import dev.reliant.benchmarks.support.Options;

/**
 * How cost grows with the data a starter keeps: the outbox at 10k, 100k and 1M pending rows, and the Redis
 * idempotency store at 10k, 100k and 1M stored records.
 */
public final class ScaleBenchmark {

    private ScaleBenchmark() {
    }

    public static void run(Options options) throws Exception {
        int[] sizes = options.smoke() ? new int[] { 1_000, 2_000, 4_000 } : new int[] { 10_000, 100_000, 1_000_000 };
        BacklogScale.run(options, sizes);
        RedisStoreScale.run(options, sizes);
    }

}
