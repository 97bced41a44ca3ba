package dev.reliant.benchmarks.support;

import java.util.List;

/**
 * Command-line options common to every benchmark.
 *
 * @param smoke whether to run a seconds-long pass that only proves the benchmark still works
 */
public record Options(boolean smoke) {

    public static Options parse(String[] args) {
        List<String> all = List.of(args);
        for (String arg : all) {
            if (!arg.equals("--smoke")) {
                throw new IllegalArgumentException("Unknown option " + arg);
            }
        }
        return new Options(all.contains("--smoke"));
    }

    /** {@code full} for a measurement, {@code smoke} in smoke mode. */
    public int pick(int full, int smoke) {
        return this.smoke ? smoke : full;
    }

}
