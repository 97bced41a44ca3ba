package dev.reliant.sample.embedded;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import redis.embedded.RedisExecProvider;

import org.springframework.core.log.LogMessage;

/**
 * A Redis server on a data directory that survives restarts (append-only file, synced every second), run as a
 * child process of the sample. The process is started here rather than by the embedded-redis library, whose
 * servers stop on a JVM shutdown hook of their own: that hook would run at the same time as the application's
 * shutdown and pull Redis away from clients that are still closing.
 */
final class EmbeddedRedisServer implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration READY_CHECK_INTERVAL = Duration.ofMillis(50);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;

    private final int port;

    private final Path dataDir;

    private final DataDirectoryLock lock;

    private final Log log;

    private EmbeddedRedisServer(Process process, int port, Path dataDir, DataDirectoryLock lock, Log log) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.lock = lock;
        this.log = log;
    }

    /** Starts Redis on {@code dataDir}, first stopping one a killed run left there. */
    static EmbeddedRedisServer start(Path dataDir, int port, Log log) throws IOException {
        Files.createDirectories(dataDir);
        Path lockFile = dataDir.resolve("redis.lock");
        Path pidFile = dataDir.resolve("redis.pid");
        DataDirectoryLock.refuseIfInUse(lockFile, "Redis");
        new OrphanProcesses(log).stop(pidFile, "redis-server", "Redis");
        DataDirectoryLock lock = DataDirectoryLock.hold(lockFile);
        File executable = RedisExecProvider.defaultProvider().get();
        Process process = new ProcessBuilder(List.of(executable.getAbsolutePath(), "--port", Integer.toString(port),
                "--bind", HOST, "--dir", dataDir.toString(), "--pidfile", pidFile.toString(), "--appendonly", "yes",
                "--appendfsync", "everysec"))
            .redirectErrorStream(true)
            // a file, not a pipe: a pipe nobody reads would block the server once full
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("redis.log").toFile()))
            .start();
        EmbeddedRedisServer redis = new EmbeddedRedisServer(process, port, dataDir, lock, log);
        try {
            redis.awaitReady();
        }
        catch (IOException | RuntimeException ex) {
            redis.close();
            throw ex;
        }
        log.info(LogMessage.format("Started the embedded Redis on port %d with data in %s", port, dataDir));
        return redis;
    }

    int port() {
        return port;
    }

    /** Waits until the server answers, which it does only once it has loaded its data. */
    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!answersPing()) {
            if (!process.isAlive()) {
                throw new IOException("Redis exited with status " + process.exitValue() + "; see "
                        + dataDir.resolve("redis.log"));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("Redis did not answer within " + READY_TIMEOUT + "; see "
                        + dataDir.resolve("redis.log"));
            }
            try {
                Thread.sleep(READY_CHECK_INTERVAL.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for Redis to start", ex);
            }
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return "+PONG".equals(reader.readLine());
        }
        catch (IOException notYet) {
            return false;
        }
    }

    /** Stops the server the way its own shutdown does it: SIGTERM, on which it syncs its data and exits. */
    @Override
    public void close() throws IOException {
        try {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(LogMessage.format("The embedded Redis on port %d did not stop within %s; killing it", port,
                        STOP_TIMEOUT));
                process.destroyForcibly().waitFor();
            }
            log.info(LogMessage.format("Stopped the embedded Redis on port %d with data in %s", port, dataDir));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while stopping the embedded Redis", ex);
        }
        finally {
            lock.close();
        }
    }

    @Override
    public String toString() {
        return "the embedded Redis on port " + port;
    }
}
