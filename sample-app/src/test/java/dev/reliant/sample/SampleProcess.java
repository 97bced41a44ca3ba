package dev.reliant.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/** The packaged sample as a process of its own, as users start it. */
final class SampleProcess {

    static final Path JAR = Path.of("target", "reliant-sample-app-0.1.0-SNAPSHOT.jar");

    private SampleProcess() {
    }

    /** Starts the jar on {@code port} and waits until it is healthy. */
    static ChildJvm start(int port, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("--server.port=" + port);
        ChildJvm app = ChildJvm.startJar(JAR, all, Map.of());
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!app.isAlive()) {
                    throw new IllegalStateException("The sample died while starting:\n" + app.output());
                }
                try {
                    return new SampleClient(port, "alice").get("/actuator/health").statusCode() == 200;
                }
                catch (IllegalStateException notYet) {
                    return false;
                }
            });
        }
        catch (ConditionTimeoutException ex) {
            app.kill();
            throw new IllegalStateException("The sample did not become healthy:\n" + app.output(), ex);
        }
        return app;
    }

    /** Arguments that run the sample on the tests' PostgreSQL schema and Redis, so a test can read its tables. */
    static List<String> onTestServers(TestPostgres.Schema schema, Path dataDir, String... more) {
        TestRedis.Server redis = TestRedis.server();
        List<String> args = new ArrayList<>(List.of("--sample.data-dir=" + dataDir,
                "--spring.datasource.url=" + schema.jdbcUrl(), "--spring.datasource.username=" + schema.username(),
                "--spring.datasource.password=" + schema.password(), "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--reliant.idempotency.redis.key-prefix=" + TestRedis.newKeyPrefix()));
        args.addAll(List.of(more));
        return args;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
