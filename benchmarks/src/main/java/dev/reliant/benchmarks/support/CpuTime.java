package dev.reliant.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.management.OperatingSystemMXBean;

/**
 * CPU time spent so far: by this JVM (application, load generator and client libraries alike), and by the whole
 * machine (which adds the database or cache server, and anything else running). Differences between two readings
 * divided by the requests in between give CPU per request, a figure that, unlike throughput, does not depend on how
 * many threads compete for the cores.
 */
public final class CpuTime {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** Linux reports /proc/stat in clock ticks of 1/100 s on every common configuration. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private CpuTime() {
    }

    public static long processNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Busy time of all cores (user, nice, system, irq, softirq, steal), or -1 where /proc/stat is missing. */
    public static long machineNanos() {
        if (!Files.isReadable(PROC_STAT)) {
            return -1;
        }
        try {
            String[] fields = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] { 1, 2, 3, 6, 7, 8 }) {
                busy += Long.parseLong(fields[i]);
            }
            return busy * NANOS_PER_TICK;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
