package dev.reliant.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The Redis server of a test JVM: an embedded Redis 7 started once on a free port, or the server named by
 * {@value #URL_ENV} ({@code redis://host:port}). Tests never share keys: each takes its own prefix from
 * {@link #newKeyPrefix()}.
 */
public final class TestRedis {

    public static final String URL_ENV = "RELIANT_TEST_REDIS_URL";

    private static final Logger log = LoggerFactory.getLogger(TestRedis.class);

    private static Server server;

    private TestRedis() {
    }

    /** The server, started on first call when no external one is configured. */
    public static synchronized Server server() {
        if (server == null) {
            server = startOrConnect();
        }
        return server;
    }

    /** A key prefix no other test uses, ending in a colon. */
    public static String newKeyPrefix() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + ":";
    }

    private static Server startOrConnect() {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            URI uri = URI.create(url);
            log.info("Tests use the external Redis at {}", url);
            return new Server(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 6379, false);
        }
        int port = freePort();
        RedisServer redis = RedisServer.builder()
            .port(port)
            .bind("127.0.0.1")
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
        redis.start();
        ServerStop.atExit(redis::stop);
        log.info("Tests use an embedded Redis on 127.0.0.1:{}", port);
        return new Server("127.0.0.1", port, true);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException("No free port", ex);
        }
    }

    /** Where the test server listens. */
    public record Server(String host, int port, boolean embedded) {

        public String url() {
            return "redis://" + host + ":" + port;
        }

        /** Spring Boot properties that point {@code spring.data.redis} at this server. */
        public String[] springProperties() {
            return new String[] { "spring.data.redis.host=" + host, "spring.data.redis.port=" + port };
        }
    }
}
