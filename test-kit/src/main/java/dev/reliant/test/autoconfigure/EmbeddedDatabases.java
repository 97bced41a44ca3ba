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

/**
 * The embedded PostgreSQL of the test JVM, started on first use and stopped when the JVM exits, and a fresh
 * database on it for each test context: contexts never see each other's tables or Flyway history.
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
                server = EmbeddedPostgres.builder().start();
            }
            catch (IOException ex) {
                throw new UncheckedIOException("Could not start an embedded PostgreSQL", ex);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                }
                catch (IOException ex) {
                    log.warn("The embedded PostgreSQL did not stop cleanly", ex);
                }
            }, "reliant-test-postgres-stop"));
            log.info("Tests without a configured database use an embedded PostgreSQL on port " + started.getPort());
        }
        return server;
    }

}
