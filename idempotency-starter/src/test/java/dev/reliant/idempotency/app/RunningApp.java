package dev.reliant.idempotency.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The test application running on a random port, and a client for it. */
public final class RunningApp implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final ConfigurableApplicationContext context;

    private final int port;

    private RunningApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** Starts the test application with the given properties (plus a random port). */
    public static RunningApp start(String... properties) {
        return start(TestApplication.class, properties);
    }

    /** Starts {@code application} with the given properties (plus a random port). */
    public static RunningApp start(Class<?> application, String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "management.endpoints.web.exposure.include=health,idempotency"));
        all.addAll(List.of(properties));
        return new RunningApp(new SpringApplicationBuilder(application)
            .properties(all.toArray(String[]::new))
            .run());
    }

    /** Properties that point the Redis store at the test Redis under a fresh key prefix. */
    public static String[] redis(String keyPrefix) {
        TestRedis.Server redis = TestRedis.server();
        return new String[] { "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                "reliant.idempotency.store=redis", "reliant.idempotency.redis.key-prefix=" + keyPrefix,
                "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" };
    }

    /**
     * Properties that point the Redis store at the test Redis under a fresh key prefix, with the application's
     * database (business data and durable outcomes) in the given schema.
     */
    public static String[] redisAndDatabase(String keyPrefix, TestPostgres.Schema schema) {
        List<String> all = new ArrayList<>(List.of(redis(keyPrefix)));
        all.removeIf(property -> property.startsWith("spring.autoconfigure.exclude="));
        all.addAll(List.of(schema.springProperties()));
        // the tests create their business tables themselves
        all.add("spring.flyway.enabled=false");
        return all.toArray(String[]::new);
    }

    /** Properties that select the JDBC store in the given schema. */
    public static String[] jdbc(TestPostgres.Schema schema) {
        List<String> all = new ArrayList<>(List.of(schema.springProperties()));
        all.add("reliant.idempotency.store=jdbc");
        return all.toArray(String[]::new);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public int port() {
        return port;
    }

    public Call post(String path) {
        return new Call(this, "POST", path);
    }

    public Call put(String path) {
        return new Call(this, "PUT", path);
    }

    public Call get(String path) {
        return new Call(this, "GET", path);
    }

    public Call delete(String path) {
        return new Call(this, "DELETE", path);
    }

    @Override
    public void close() {
        context.close();
    }

    /** One request, built fluently. Requests are made as alice unless told otherwise. */
    public static final class Call {

        private final RunningApp app;

        private final String method;

        private final String path;

        private final List<String[]> headers = new ArrayList<>();

        private byte[] body = new byte[0];

        private String user = "alice";

        private Call(RunningApp app, String method, String path) {
            this.app = app;
            this.method = method;
            this.path = path;
        }

        public Call key(String key) {
            return header("Idempotency-Key", key);
        }

        public Call header(String name, String value) {
            headers.add(new String[] { name, value });
            return this;
        }

        public Call json(String json) {
            this.body = json.getBytes(StandardCharsets.UTF_8);
            return header("Content-Type", "application/json");
        }

        public Call body(byte[] body, String contentType) {
            this.body = body;
            return header("Content-Type", contentType);
        }

        public Call as(String user) {
            this.user = user;
            return this;
        }

        public Call anonymous() {
            this.user = null;
            return this;
        }

        public HttpResponse<byte[]> send() {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            if (user != null) {
                String password = user + "-pass";
                request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
            }
            headers.forEach(header -> request.header(header[0], header[1]));
            try {
                return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    public static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
