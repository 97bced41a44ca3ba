package dev.reliant.test.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;

/**
 * The embedded PostgreSQL of the test JVM, started on first use and stopped when the JVM exits, once Spring Boot has
 * closed the application contexts; and a fresh database on it for each test context: contexts never see each
 * other's tables or Flyway history.
 */
final class EmbeddedDatabases {

    private static final Log log = LogFactory.getLog(EmbeddedDatabases.class);

    private static final AtomicInteger databases = new AtomicInteger();

    private static EmbeddedPostgres server;

    private EmbeddedDatabases() {
    }

    /** A JDBC URL, user and password included, of a new empty database. */
    static String newDatabase() {
        EmbeddedPostgres postgres = server();
        String name = "reliant_test_" + databases.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not create the test database " + name, ex);
        }
        return postgres.getJdbcUrl("postgres", name);
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
            }
            catch (IOException ex) {
                throw new UncheckedIOException("Could not start an embedded PostgreSQL", ex);
            }
            EmbeddedPostgres started = server;
            // Once the test contexts have closed, not on a JVM shutdown hook of its own: hooks run side by side, and
            // a context still stopping (a relay removing its instance row, a lock released) would wait out its
            // pool's connection timeout for a database already gone, holding up the JVM's exit.
            SpringApplication.getShutdownHandlers().add(() -> {
                try {
                    started.close();
                }
                catch (IOException ex) {
                    log.warn("The embedded PostgreSQL did not stop cleanly", ex);
                }
            });
            log.info("Tests without a configured database use an embedded PostgreSQL on port " + started.getPort());
        }
        return server;
    }

}
