package dev.reliant.idempotency.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.resilience.IdempotencyStoreUnavailableException;
import dev.reliant.testsupport.TestPostgres;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** The JDBC store's statement queue and query timeout, against a PostgreSQL that a row lock holds up. */
class JdbcStoreLimitsTests {

    private static final String FINGERPRINT = "a".repeat(64);

    private static final Duration TIME_LIMIT = Duration.ofMillis(1500);

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class, DataSourceAutoConfiguration.class,
                WebMvcAutoConfiguration.class, DispatcherServletAutoConfiguration.class))
        .withUserConfiguration(TimeLimit.class)
        .withPropertyValues("reliant.idempotency.store=jdbc", "reliant.idempotency.jdbc.threads=1",
                "reliant.idempotency.jdbc.queue-capacity=1");

    @Test
    void callsBeyondTheQueueFailAtOnceAndTheDatabaseCancelsAStatementNobodyWaitsFor() {
        runner.withPropertyValues(TestPostgres.newSchema().springProperties()).run(context -> {
            IdempotencyStore store = context.getBean(IdempotencyStore.class);
            GuardedIdempotencyStore guarded = context.getBean(GuardedIdempotencyStore.class);
            String key = "user%3Aalice:" + UUID.randomUUID();
            String owner = UUID.randomUUID().toString().replace("-", "");
            store.claim(key, owner, FINGERPRINT, Duration.ofMinutes(1), Duration.ofHours(1)).join();
            try (Connection locker = context.getBean(DataSource.class).getConnection()) {
                locker.setAutoCommit(false);
                try (PreparedStatement lock = locker.prepareStatement(
                        "SELECT 1 FROM reliant_idempotency_record WHERE storage_key = ? FOR UPDATE")) {
                    lock.setString(1, key);
                    lock.executeQuery().close();
                }
                long started = System.nanoTime();
                // The only thread waits for the lock, the only queue place holds the next statement.
                CompletableFuture<Boolean> blocked = store.renew(key, owner, Duration.ofMinutes(1));
                JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
                await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject("SELECT count(*) FROM "
                        + "pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE reliant_idempotency_record%'",
                        Integer.class) == 1);
                CompletableFuture<Boolean> queued = store.renew(key, owner, Duration.ofMinutes(1));
                assertThat(queued).isNotDone();

                long refused = System.nanoTime();
                assertThatExceptionOfType(IdempotencyStoreUnavailableException.class)
                    .isThrownBy(() -> guarded.find(key))
                    .withCauseInstanceOf(RejectedExecutionException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - refused)).isLessThan(TIME_LIMIT);

                // The lock is still held: only the query timeout, the time limit rounded up to 2 s, ends the wait.
                assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> blocked.get(10, TimeUnit.SECONDS))
                    .satisfies(ex -> assertThat(sqlState(ex)).isEqualTo("57014"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2))
                    .isLessThan(Duration.ofSeconds(10));
                locker.rollback();
            }
        });
    }

    private static String sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    @Configuration(proxyBeanMethods = false)
    static class TimeLimit {

        @Bean
        TimeLimiterRegistry timeLimiterRegistry() {
            return TimeLimiterRegistry.of(TimeLimiterConfig.custom().timeoutDuration(TIME_LIMIT).build());
        }
    }
}
