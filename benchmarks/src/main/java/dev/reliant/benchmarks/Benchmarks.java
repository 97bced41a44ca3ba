package dev.reliant.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.reliant.benchmarks.baselines.BaselinesBenchmark;
import dev.reliant.benchmarks.idempotency.IdempotencyBenchmark;
import dev.reliant.benchmarks.lock.LockBenchmark;
import dev.reliant.benchmarks.outbox.BacklogBenchmark;
import dev.reliant.benchmarks.outbox.OutboxBenchmark;
import dev.reliant.benchmarks.outbox.WriterTaxBenchmark;
import dev.reliant.benchmarks.saga.SagaBenchmark;
import dev.reliant.benchmarks.scale.ScaleBenchmark;
import dev.reliant.benchmarks.support.Options;

/**
 * Runs one benchmark by name: {@code java -jar reliant-benchmarks.jar <benchmark> [--smoke]}. Each
 * prints its figures as a table and exits non-zero when a run fails.
 */
public final class Benchmarks {

    private static final Map<String, Benchmark> BENCHMARKS = new LinkedHashMap<>();

    static {
        BENCHMARKS.put("idempotency", IdempotencyBenchmark::run);
        BENCHMARKS.put("saga", SagaBenchmark::run);
        BENCHMARKS.put("outbox", OutboxBenchmark::run);
        BENCHMARKS.put("outbox-backlog", BacklogBenchmark::run);
        BENCHMARKS.put("outbox-writer-tax", WriterTaxBenchmark::run);
        BENCHMARKS.put("baselines", BaselinesBenchmark::run);
        BENCHMARKS.put("lock", LockBenchmark::run);
        BENCHMARKS.put("scale", ScaleBenchmark::run);
    }

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Benchmark benchmark = args.length == 0 ? null : BENCHMARKS.get(args[0]);
        if (benchmark == null) {
            System.err.println("usage: java -jar reliant-benchmarks.jar " + String.join("|", BENCHMARKS.keySet())
                    + " [--smoke]");
            System.exit(2);
        }
        benchmark.run(Options.parse(Arrays.copyOfRange(args, 1, args.length)));
        System.exit(0);
    }

    @FunctionalInterface
    private interface Benchmark {

        void run(Options options) throws Exception;

    }

}
