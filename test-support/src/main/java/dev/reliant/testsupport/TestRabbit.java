package dev.reliant.testsupport;

import java.net.URI;
import java.util.UUID;

/**
 * The RabbitMQ server of a test JVM. There is no embedded broker: tests that need one run only when
 * {@value #URL_ENV} ({@code amqp://user:pass@host:port}) is set, and are reported as skipped with that reason
 * otherwise (see {@link RequiresRabbit}).
 */
public final class TestRabbit {

    public static final String URL_ENV = "RELIANT_TEST_RABBIT_URL";

    private TestRabbit() {
    }

    public static boolean configured() {
        String url = System.getenv(URL_ENV);
        return url != null && !url.isBlank();
    }

    /** The configured server; fails when {@link #configured()} is false. */
    public static Server server() {
        if (!configured()) {
            throw new IllegalStateException(URL_ENV + " is not set");
        }
        URI uri = URI.create(System.getenv(URL_ENV));
        String userInfo = (uri.getUserInfo() != null) ? uri.getUserInfo() : "guest:guest";
        int colon = userInfo.indexOf(':');
        String user = (colon < 0) ? userInfo : userInfo.substring(0, colon);
        String password = (colon < 0) ? "" : userInfo.substring(colon + 1);
        return new Server(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 5672, user, password);
    }

    /** A queue or exchange name no other test uses. */
    public static String newName(String base) {
        return base + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Where the server listens and how to log in. */
    public record Server(String host, int port, String username, String password) {

        /** Spring Boot properties that point {@code spring.rabbitmq} at this server. */
        public String[] springProperties() {
            return new String[] { "spring.rabbitmq.host=" + host, "spring.rabbitmq.port=" + port,
                    "spring.rabbitmq.username=" + username, "spring.rabbitmq.password=" + password };
        }
    }
}
