package dev.reliant.benchmarks.baselines;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One synchronous Redis connection speaking RESP itself: a command costs one write and one read of its reply, with
 * no event loop or thread hand-off on the way, as in {@code redis-benchmark}, so that what is measured is the
 * server and the loopback rather than a client library. Replies are read as text; arrays are not needed here.
 */
final class RespConnection implements AutoCloseable {

    private final Socket socket;

    private final OutputStream out;

    private final InputStream in;

    RespConnection(URI redis) throws IOException {
        this.socket = new Socket(redis.getHost(), redis.getPort());
        socket.setTcpNoDelay(true);
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    /** A command encoded once, as an array of bulk strings, so that sending it costs no encoding. */
    static byte[] command(String... arguments) {
        StringBuilder resp = new StringBuilder().append('*').append(arguments.length).append("\r\n");
        for (String argument : arguments) {
            resp.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                .append(argument).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends a command and waits for its reply: a status, an integer or a bulk string, {@code null} for nil. */
    String call(byte[] command) throws IOException {
        out.write(command);
        out.flush();
        int type = in.read();
        if (type == -1) {
            throw new IOException("Redis closed the connection");
        }
        String line = line();
        switch (type) {
            case '+', ':' -> {
                return line;
            }
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bulk = in.readNBytes(length);
                line();
                return new String(bulk, StandardCharsets.UTF_8);
            }
            case '-' -> throw new IOException("Redis answered " + line);
            default -> throw new IOException("Unexpected reply type '" + (char) type + "': " + line);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(16);
        for (int b = in.read(); b != '\r'; b = in.read()) {
            if (b == -1) {
                throw new IOException("Redis closed the connection inside a reply");
            }
            line.write(b);
        }
        in.read();
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

}
