package dev.reliant.sample.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a real PostgreSQL and a real Redis for the sample when none is configured, so that it runs with one
 * command on a machine with only a JDK. Their data lives under {@code sample.data-dir} (default
 * {@code target/sample-data}) and survives restarts, including after {@code kill -9}: servers orphaned by a killed
 * run are stopped before new ones start on the same data. The servers start here, before the application context
 * exists, because its data source and Redis client are configured from their ports; they stop after everything in
 * the context has stopped (see {@link EmbeddedServers}).
 */
public class EmbeddedServersEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    private static final String SOURCE = "sampleEmbeddedServers";

    private final DeferredLogFactory logFactory;

    public EmbeddedServersEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this.logFactory = logFactory;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE)
                || !environment.getProperty("sample.embedded-servers.enabled", Boolean.class, true)) {
            return;
        }
        Path dataDir = Path.of(environment.getProperty("sample.data-dir", "target/sample-data")).toAbsolutePath();
        // logging is set up after the environment: these logs are written once it is
        Log log = logFactory.getLog(EmbeddedServers.class);
        EmbeddedServers servers = new EmbeddedServers(log);
        Map<String, Object> properties = new LinkedHashMap<>();
        try {
            if (!environment.containsProperty("spring.datasource.url")) {
                EmbeddedPostgresServer postgres = servers
                    .add(EmbeddedPostgresServer.start(dataDir.resolve("postgres"), freePort(), log));
                properties.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres");
                properties.put("spring.datasource.username", "postgres");
                properties.put("spring.datasource.password", "");
            }
            if (!environment.containsProperty("spring.data.redis.host")
                    && !environment.containsProperty("spring.data.redis.url")) {
                EmbeddedRedisServer redis = servers
                    .add(EmbeddedRedisServer.start(dataDir.resolve("redis"), freePort(), log));
                properties.put("spring.data.redis.host", "127.0.0.1");
                properties.put("spring.data.redis.port", redis.port());
            }
        }
        catch (IOException ex) {
            servers.destroy();
            throw new UncheckedIOException("Could not start the embedded servers in " + dataDir, ex);
        }
        catch (RuntimeException ex) {
            servers.destroy();
            throw ex;
        }
        environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, properties));
        if (!servers.isEmpty()) {
            application.addInitializers(servers::registerIn);
        }
    }

    @Override
    public int getOrder() {
        // after application.yml and the environment have been read, so configured servers are seen
        return Ordered.LOWEST_PRECEDENCE;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
