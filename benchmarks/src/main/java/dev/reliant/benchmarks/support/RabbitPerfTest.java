package dev.reliant.benchmarks.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.rabbitmq.perf.PerfTest;

/**
 * RabbitMQ's own confirmed-publish rate on this machine, by RabbitMQ PerfTest ({@code com.rabbitmq:perf-test}) run
 * inside the benchmark's JVM: one producer of persistent messages, one consumer on the same queue, on a fresh
 * auto-deleted queue.
 */
public final class RabbitPerfTest {

    private static final Pattern SENDING_RATE = Pattern.compile("sending rate avg: (\\d+)");

    private RabbitPerfTest() {
    }

    /**
     * Messages per second with at most {@code outstanding} unconfirmed messages in flight: with 1 the producer
     * waits for each confirm before it publishes the next message.
     */
    public static double confirmedPublishRate(int outstanding, int messageBytes, int seconds) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        String queue = "reliant.bench.perftest." + UUID.randomUUID().toString().substring(0, 8);
        PerfTest.main(new String[] { "--uri", Servers.rabbit().toString(), "--producers", "1", "--consumers", "1",
                "--confirm", String.valueOf(outstanding), "--size", String.valueOf(messageBytes), "--flag",
                "persistent", "--time", String.valueOf(seconds), "--queue", queue, "--auto-delete", "true" },
                new PerfTest.PerfTestOptions().setConsoleOut(out).setConsoleErr(out).setSystemExiter(status -> {
                    if (status != 0) {
                        throw new IllegalStateException("PerfTest exited with " + status + ":\n" + captured);
                    }
                }));
        Matcher rate = SENDING_RATE.matcher(captured.toString(StandardCharsets.UTF_8));
        if (!rate.find()) {
            throw new IllegalStateException("No sending rate in PerfTest's output:\n" + captured);
        }
        return Double.parseDouble(rate.group(1));
    }

}
