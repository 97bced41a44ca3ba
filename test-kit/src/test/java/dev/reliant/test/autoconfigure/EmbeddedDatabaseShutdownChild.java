package dev.reliant.test.autoconfigure;

import javax.sql.DataSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A process that uses the test kit's embedded database from a component whose stop takes two seconds and then runs
 * a statement, as a relay removing its instance row does, and exits while the application still runs.
 */
public final class EmbeddedDatabaseShutdownChild {

    static final String QUERIED = "the slow stop queried the database";

    private EmbeddedDatabaseShutdownChild() {
    }

    public static void main(String[] args) {
        System.setProperty("child.database.url", EmbeddedDatabases.newDatabase());
        SpringApplication application = new SpringApplication(Config.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.run();
        System.exit(0);
    }

    @Configuration(proxyBeanMethods = false)
    static class Config {

        @Bean
        DataSource dataSource() {
            return new DriverManagerDataSource(System.getProperty("child.database.url"));
        }

        @Bean
        SlowStop slowStop(DataSource dataSource) {
            return new SlowStop(new JdbcTemplate(dataSource));
        }
    }

    static final class SlowStop implements SmartLifecycle {

        private final JdbcTemplate jdbc;

        private volatile boolean running;

        SlowStop(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            running = false;
            try {
                // the stop's own work, long enough for a database stopped beside it to be gone
                Thread.sleep(2_000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            jdbc.queryForObject("SELECT 1", Integer.class);
            System.out.println(QUERIED);
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
