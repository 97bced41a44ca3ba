package dev.reliant.benchmarks.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP load generator: a fixed number of connections, each sending its next request as soon as the
 * last answer arrived, for a fixed time, recording every response time into an HdrHistogram.
 */
public final class HttpLoad {

    private final String host;

    private final int port;

    private final int connections;

    public HttpLoad(String host, int port, int connections) {
        this.host = host;
        this.port = port;
        this.connections = connections;
    }

    /**
     * Runs requests for {@code duration}; request {@code n} (counted across all connections from 0) is built by
     * {@code requests}, and every response must have {@code expectedStatus}.
     */
    public Result run(Duration duration, LongFunction<byte[]> requests, int expectedStatus) throws Exception {
        AtomicLong sequence = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            List<Future<Histogram>> parts = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                parts.add(pool.submit(() -> {
                    Histogram histogram = new Histogram(3);
                    try (HttpConnection connection = new HttpConnection(host, port)) {
                        while (System.nanoTime() < deadline) {
                            byte[] request = requests.apply(sequence.getAndIncrement());
                            long sent = System.nanoTime();
                            int status = connection.exchange(request);
                            histogram.recordValue(System.nanoTime() - sent);
                            if (status != expectedStatus) {
                                throw new IllegalStateException("Expected " + expectedStatus + ", got " + status);
                            }
                        }
                    }
                    return histogram;
                }));
            }
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

    /** Sends one request on a connection of its own. */
    public void once(byte[] request, int expectedStatus) throws Exception {
        try (HttpConnection connection = new HttpConnection(host, port)) {
            int status = connection.exchange(request);
            if (status != expectedStatus) {
                throw new IllegalStateException("Expected " + expectedStatus + ", got " + status);
            }
        }
    }

    /** The bytes of a POST with a JSON body and the given extra header lines (each {@code "Name: value"}). */
    public static byte[] post(String path, byte[] json, String... headers) {
        StringBuilder head = new StringBuilder();
        head.append("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .append("Content-Type: application/json\r\nAccept: application/json\r\n")
            .append("Content-Length: ").append(json.length).append("\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + json.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(json, 0, request, headBytes.length, json.length);
        return request;
    }

    /**
     * What one run measured.
     *
     * @param latency response times in nanoseconds
     * @param wallNanos the run's length
     */
    public record Result(Histogram latency, long wallNanos) {

        public double perSecond() {
            return latency.getTotalCount() / (wallNanos / 1e9);
        }

        public double p50Millis() {
            return latency.getValueAtPercentile(50) / 1e6;
        }

        public double p99Millis() {
            return latency.getValueAtPercentile(99) / 1e6;
        }

    }

}
