package dev.reliant.idempotency.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.testsupport.TestPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JdbcIdempotencyStoreTests extends IdempotencyStoreContractTests {

    private static final String TABLE = "reliant_idempotency_record";

    private static final String HISTORY_TABLE = "reliant_idempotency_schema_history";

    private static final String FINGERPRINT = "d".repeat(64);

    private static final StoredResponse RESPONSE = new StoredResponse(200, List.of(), new byte[0]);

    private static HikariDataSource dataSource;

    private static ExecutorService executor;

    private static JdbcIdempotencyStore store;

    @BeforeAll
    static void connect() {
        dataSource = TestPostgres.newSchema().dataSource(16);
        new IdempotencySchemaMigrator(dataSource, TABLE, HISTORY_TABLE).migrate();
        executor = Executors.newFixedThreadPool(16);
        store = new JdbcIdempotencyStore(new JdbcTemplate(dataSource), executor, TABLE);
    }

    @AfterAll
    static void disconnect() {
        executor.shutdownNow();
        dataSource.close();
    }

    @Override
    protected IdempotencyStore store() {
        return store;
    }

    @Test
    void purgeDeletesOnlyExpiredRecords() {
        String live = key();
        String lapsed = key();
        String expired = key();
        String other = owner();
        store.claim(live, owner(), FINGERPRINT, Duration.ofMinutes(5), Duration.ofHours(1)).join();
        store.claim(lapsed, owner(), FINGERPRINT, Duration.ofMillis(1), Duration.ofHours(1)).join();
        expire(expired, other);
        drainExpired();
        assertThat(rows(expired)).isZero();
        assertThat(store.find(live).join()).isPresent();
        assertThat(store.find(lapsed).join()).as("in progress, lease lapsed, within its retention").isPresent();
    }

    @Test
    void cleanupSparesAClaimThatTookAnExpiredRowOverWhileItRan() throws Exception {
        String key = key();
        expire(key, owner());
        String next = owner();
        try (Connection locker = dataSource.getConnection(); Connection cleanupConnection = dataSource.getConnection()) {
            // Holds the cleanup's DELETE on the expired row (KEY SHARE blocks a delete but not the claim's update).
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker
                .prepareStatement("SELECT 1 FROM " + TABLE + " WHERE storage_key = ? FOR KEY SHARE")) {
                lock.setString(1, key);
                lock.executeQuery().close();
            }
            int cleanupPid = backendPid(cleanupConnection);
            JdbcIdempotencyStore cleaner = new JdbcIdempotencyStore(
                    new JdbcTemplate(new SingleConnectionDataSource(cleanupConnection, true)), executor, TABLE);
            CompletableFuture<Integer> cleanup = CompletableFuture.supplyAsync(() -> cleaner.purgeExpired(10_000));
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> "Lock".equals(jdbc.queryForObject(
                        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?", String.class, cleanupPid)));

            assertThat(store.claim(key, next, FINGERPRINT, Duration.ofMinutes(5), Duration.ofHours(1))
                .get(30, TimeUnit.SECONDS)).isEqualTo(ClaimResult.claimed());
            locker.commit();
            cleanup.get(30, TimeUnit.SECONDS);
        }
        assertThat(store.find(key).join()).hasValueSatisfying(record -> {
            assertThat(record.owner()).isEqualTo(next);
            assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS);
        });
    }

    @Test
    void migrationKeepsTheLeaseOfClaimsMadeBeforeIt() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        try (HikariDataSource old = schema.dataSource(2)) {
            Flyway.configure()
                .dataSource(old)
                .locations(IdempotencySchemaMigrator.LOCATION)
                .table(HISTORY_TABLE)
                .placeholders(Map.of("table", TABLE))
                .target("1")
                .load()
                .migrate();
            JdbcTemplate jdbc = new JdbcTemplate(old);
            String insert = "INSERT INTO " + TABLE + " (storage_key, state, owner_token, fingerprint, expires_at, "
                    + "response) VALUES (?, ?, ?, ?, now() + interval '1 minute', ?)";
            jdbc.update(insert, "running", "IN_PROGRESS", owner(), FINGERPRINT, null);
            jdbc.update(insert, "done", "COMPLETED", owner(), FINGERPRINT,
                    dev.reliant.idempotency.codec.ResponseCodec.encode(RESPONSE));
            OffsetDateTime leaseEnd = jdbc.queryForObject(
                    "SELECT expires_at FROM " + TABLE + " WHERE storage_key = 'running'", OffsetDateTime.class);

            new IdempotencySchemaMigrator(old, TABLE, HISTORY_TABLE).migrate();

            Map<String, Object> running = jdbc.queryForMap(
                    "SELECT lease_until, expires_at FROM " + TABLE + " WHERE storage_key = 'running'");
            assertThat(running).containsEntry("lease_until", running.get("expires_at"));
            assertThat(jdbc.queryForObject("SELECT lease_until FROM " + TABLE + " WHERE storage_key = 'done'",
                    Object.class)).isNull();
            JdbcIdempotencyStore migrated = new JdbcIdempotencyStore(jdbc, executor, TABLE);
            assertThat(migrated.find("running").join().orElseThrow().expiresAt()).isEqualTo(leaseEnd.toInstant());
            assertThat(migrated.find("done").join().orElseThrow().response()).isEqualTo(RESPONSE);
        }
        finally {
            schema.drop(dataSource);
        }
    }

    @Test
    void migrationsUseTheirOwnHistoryTable() {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + HISTORY_TABLE + " WHERE success", Integer.class))
            .isPositive();
        new IdempotencySchemaMigrator(dataSource, TABLE, HISTORY_TABLE).migrate();
    }

    /** Leaves a completed record for {@code key} whose retention is over (the row is still there). */
    private static void expire(String key, String owner) {
        store.claim(key, owner, FINGERPRINT, Duration.ofMinutes(5), Duration.ofHours(1)).join();
        store.complete(key, owner, FINGERPRINT, RecordState.COMPLETED, RESPONSE, Duration.ofMillis(1)).join();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        await().until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM " + TABLE + " WHERE storage_key = ? AND expires_at <= now()", Integer.class,
                key) == 1);
    }

    private static void drainExpired() {
        while (store.purgeExpired(100) > 0) {
            // every expired row goes, other tests' ones included
        }
    }

    private static int rows(String key) {
        return new JdbcTemplate(dataSource)
            .queryForObject("SELECT count(*) FROM " + TABLE + " WHERE storage_key = ?", Integer.class, key);
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (var statement = connection.createStatement(); var rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
