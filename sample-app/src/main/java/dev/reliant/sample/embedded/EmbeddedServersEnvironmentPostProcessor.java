package dev.reliant.sample.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a real PostgreSQL and a real Redis for the sample when none is configured, so that it runs with one
 * command on a machine with only a JDK. Their data lives under {@code sample.data-dir} (default
 * {@code target/sample-data}) and survives restarts, including after {@code kill -9}: servers orphaned by a killed
 * run are stopped before new ones start on the same data.
 */
public class EmbeddedServersEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    private static final String SOURCE = "sampleEmbeddedServers";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE)
                || !environment.getProperty("sample.embedded-servers.enabled", Boolean.class, true)) {
            return;
        }
        Path dataDir = Path.of(environment.getProperty("sample.data-dir", "target/sample-data")).toAbsolutePath();
        Map<String, Object> properties = new LinkedHashMap<>();
        if (!environment.containsProperty("spring.datasource.url")) {
            int port = startPostgres(dataDir.resolve("postgres"));
            properties.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres");
            properties.put("spring.datasource.username", "postgres");
            properties.put("spring.datasource.password", "");
        }
        if (!environment.containsProperty("spring.data.redis.host") && !environment.containsProperty("spring.data.redis.url")) {
            properties.put("spring.data.redis.host", "127.0.0.1");
            properties.put("spring.data.redis.port", startRedis(dataDir.resolve("redis")));
        }
        environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, properties));
    }

    @Override
    public int getOrder() {
        // after application.yml and the environment have been read, so configured servers are seen
        return Ordered.LOWEST_PRECEDENCE;
    }

    private static int startPostgres(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            refuseIfInUse(dataDir.resolve("epg-lock"), "PostgreSQL");
            OrphanProcesses.stop(dataDir.resolve("postmaster.pid"), "postgres");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(freePort())
                .start();
            return postgres.getPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDir, ex);
        }
    }

    private static int startRedis(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Path pidFile = dataDir.resolve("redis.pid");
            Path lockFile = dataDir.resolve("redis.lock");
            refuseIfInUse(lockFile, "Redis");
            OrphanProcesses.stop(pidFile, "redis-server");
            int port = freePort();
            RedisServer redis = RedisServer.builder()
                .port(port)
                .bind("127.0.0.1")
                .setting("dir " + dataDir)
                .setting("pidfile " + pidFile)
                .setting("appendonly yes")
                .setting("appendfsync everysec")
                .build();
            redis.start();
            holdLock(lockFile);
            Runtime.getRuntime().addShutdownHook(new Thread(redis::stop, "sample-redis-stop"));
            return port;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the embedded Redis in " + dataDir, ex);
        }
    }

    /** A live application holds the data directory's lock; a killed one's lock is gone with its process. */
    private static void refuseIfInUse(Path lockFile, String server) throws IOException {
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("The embedded " + server + " data in " + lockFile.getParent()
                        + " is in use by another running sample; stop it or set sample.data-dir");
            }
        }
    }

    private static void holdLock(Path lockFile) throws IOException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        // Held until the process ends; the operating system releases it even after kill -9.
        if (channel.tryLock() == null) {
            channel.close();
            throw new IllegalStateException("Could not lock " + lockFile);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
