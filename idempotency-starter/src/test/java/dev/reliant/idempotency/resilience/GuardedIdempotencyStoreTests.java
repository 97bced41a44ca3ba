package dev.reliant.idempotency.resilience;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.idempotency.metrics.IdempotencyMetrics;
import dev.reliant.testsupport.TestPostgres;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The guarded store around the JDBC store on a real PostgreSQL. */
class GuardedIdempotencyStoreTests {

    private static final String TABLE = "reliant_idempotency_record";

    private static final String FINGERPRINT = "a".repeat(64);

    private static final Duration LEASE = Duration.ofSeconds(30);

    private static final Duration RETENTION = Duration.ofHours(1);

    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    private HikariDataSource dataSource;

    private CircuitBreaker circuitBreaker;

    private GuardedIdempotencyStore store;

    @BeforeEach
    void connect() {
        dataSource = TestPostgres.newSchema().dataSource(2);
        new IdempotencySchemaMigrator(dataSource, TABLE, "reliant_idempotency_schema_history").migrate();
        circuitBreaker = CircuitBreaker.of("guarded-test",
                CircuitBreakerConfig.custom().slidingWindowSize(4).minimumNumberOfCalls(4).build());
        store = new GuardedIdempotencyStore(new JdbcIdempotencyStore(new JdbcTemplate(dataSource), executor, TABLE),
                circuitBreaker, CircuitBreaker.ofDefaults("guarded-test-settle"), TimeLimiter.of(Duration.ofSeconds(10)),
                IdempotencyMetrics.NONE, ObservationRegistry.NOOP);
    }

    @AfterEach
    void disconnect() {
        executor.shutdownNow();
        dataSource.close();
    }

    @Test
    void keysTheDatabaseRefusesNeverOpenTheCircuitButAnOutageStillDoes() {
        // The key column holds 1024 characters (V1 migration).
        String tooLong = "tenant%3A" + "t".repeat(1024) + ":" + UUID.randomUUID();
        for (int i = 0; i < 110; i++) {
            assertThatExceptionOfType(IdempotencyStoreInputException.class)
                .isThrownBy(() -> store.claim(tooLong, owner(), FINGERPRINT, LEASE, RETENTION))
                .withCauseInstanceOf(DataIntegrityViolationException.class);
        }
        assertThat(store.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(circuitBreaker.getMetrics().getNumberOfBufferedCalls()).isZero();
        assertThat(store.claim("user%3Aalice:" + UUID.randomUUID(), owner(), FINGERPRINT, LEASE, RETENTION))
            .isEqualTo(ClaimResult.claimed());

        dataSource.close();
        for (int i = 0; i < 4; i++) {
            assertThatExceptionOfType(IdempotencyStoreUnavailableException.class)
                .isThrownBy(() -> store.claim("user%3Aalice:" + UUID.randomUUID(), owner(), FINGERPRINT, LEASE,
                        RETENTION));
        }
        assertThat(store.circuitState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    private static String owner() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
