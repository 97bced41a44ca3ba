package dev.reliant.benchmarks.support;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Repeats a warm-up round until the JIT compilers have caught up with it. On two cores the one C2 compiler thread
 * falls far behind a Spring MVC application under load: methods wait in its queue as interpreted or C1 code, and it
 * goes on compiling the warm-up's backlog for a minute and more after the load started. Measured before it is done,
 * the paths compiled last (those warmed last, or those a round sends fewer requests through) run slower and are
 * charged the compilers' CPU as well, so that the same code costs more per request in one phase than in another
 * only because of the order the phases were warmed in.
 */
public final class JitWarmup {

    /** Compilation below this share of a round's wall time counts as caught up. */
    private static final double SETTLED_SHARE = 0.02;

    private JitWarmup() {
    }

    /** Milliseconds the JIT compilers have spent so far, as the JVM reports it; -1 where it does not. */
    public static long compilationMillis() {
        CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
        return (compilation != null && compilation.isCompilationTimeMonitoringSupported())
                ? compilation.getTotalCompilationTime() : -1;
    }

    /**
     * Runs {@code round} until one round spent less than 2 % of its time compiling, or until {@code limit} passed.
     *
     * @return a line that says how long warming up took and whether the compilers settled
     */
    public static String untilSettled(Round round, Duration limit) throws Exception {
        long start = System.nanoTime();
        int rounds = 0;
        while (true) {
            long compiling = compilationMillis();
            long began = System.nanoTime();
            round.run();
            rounds++;
            double wallMillis = (System.nanoTime() - began) / 1e6;
            long compiled = compilationMillis() - compiling;
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (compiling < 0 || compiled < SETTLED_SHARE * wallMillis) {
                return String.format("JIT warm-up: %d rounds, %.0f s, last round %.1f %% compiling", rounds, elapsed,
                        100 * compiled / wallMillis);
            }
            if (elapsed > limit.toSeconds()) {
                return String.format("JIT warm-up: %d rounds, %.0f s, compilers not settled (last round %.1f %% "
                        + "compiling)", rounds, elapsed, 100 * compiled / wallMillis);
            }
        }
    }

    @FunctionalInterface
    public interface Round {

        void run() throws Exception;

    }

}
