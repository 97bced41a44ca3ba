package dev.reliant.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server of a test JVM: an embedded one started once on first use, or the server named by
 * {@value #URL_ENV} (with {@value #USER_ENV} and {@value #PASSWORD_ENV}). Tests never share tables: each asks
 * for its own schema through {@link #newSchema()}.
 */
public final class TestPostgres {

    public static final String URL_ENV = "RELIANT_TEST_POSTGRES_URL";

    public static final String USER_ENV = "RELIANT_TEST_POSTGRES_USER";

    public static final String PASSWORD_ENV = "RELIANT_TEST_POSTGRES_PASSWORD";

    private static final Logger log = LoggerFactory.getLogger(TestPostgres.class);

    private static Server server;

    private TestPostgres() {
    }

    /** The server, started on first call when no external one is configured. */
    public static synchronized Server server() {
        if (server == null) {
            server = startOrConnect();
        }
        return server;
    }

    /** A new, empty schema on the server; connections made from its URL use it as their search path. */
    public static Schema newSchema() {
        Server s = server();
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection connection = java.sql.DriverManager.getConnection(s.jdbcUrl(), s.username(), s.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + name);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not create test schema on " + s.jdbcUrl(), ex);
        }
        return new Schema(name, withParameter(s.jdbcUrl(), "currentSchema", name), s.username(), s.password());
    }

    private static Server startOrConnect() {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            String user = envOr(USER_ENV, "postgres");
            String password = envOr(PASSWORD_ENV, "");
            log.info("Tests use the external PostgreSQL at {}", url);
            return new Server(url, user, password, false);
        }
        try {
            // stopped by ServerStop alone: the library's own hook would race the applications' shutdown
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
            ServerStop.atExit(() -> {
                try {
                    postgres.close();
                }
                catch (IOException ex) {
                    log.warn("Embedded PostgreSQL did not stop cleanly", ex);
                }
            });
            String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
            log.info("Tests use an embedded PostgreSQL at {}", jdbcUrl);
            return new Server(jdbcUrl, "postgres", "", true);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL", ex);
        }
    }

    static String withParameter(String jdbcUrl, String name, String value) {
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + name + "=" + value;
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return (value == null) ? fallback : value;
    }

    /** Where the test server is and how to log in. */
    public record Server(String jdbcUrl, String username, String password, boolean embedded) {
    }

    /** One test's private schema. */
    public record Schema(String name, String jdbcUrl, String username, String password) {

        /** A small pooled data source bound to this schema; close it when the test ends. */
        public HikariDataSource dataSource() {
            return dataSource(4);
        }

        public HikariDataSource dataSource(int poolSize) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(username);
            config.setPassword(password);
            config.setMaximumPoolSize(poolSize);
            config.setPoolName("test-" + name);
            return new HikariDataSource(config);
        }

        /** Spring Boot properties that point {@code spring.datasource} at this schema. */
        public String[] springProperties() {
            return new String[] { "spring.datasource.url=" + jdbcUrl, "spring.datasource.username=" + username,
                    "spring.datasource.password=" + password };
        }

        /** Drops the schema and everything in it. */
        public void drop(DataSource anyDataSource) {
            try (Connection connection = anyDataSource.getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            }
            catch (SQLException ex) {
                throw new IllegalStateException("Could not drop test schema " + name, ex);
            }
        }
    }
}
