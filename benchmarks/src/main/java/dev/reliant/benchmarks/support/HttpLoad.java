package dev.reliant.benchmarks.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A closed-loop HTTP load generator ({@link ClosedLoop}): a fixed number of keep-alive connections, each sending its
 * next request as soon as the last answer arrived, for a fixed time, recording every response time.
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
    public ClosedLoop.Result run(Duration duration, LongFunction<byte[]> requests, int expectedStatus)
            throws Exception {
        AtomicLong sequence = new AtomicLong();
        return ClosedLoop.run(connections, duration, () -> new HttpConnection(host, port), connection -> {
            int status = connection.exchange(requests.apply(sequence.getAndIncrement()));
            if (status != expectedStatus) {
                throw new IllegalStateException("Expected " + expectedStatus + ", got " + status);
            }
            return true;
        });
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

}
