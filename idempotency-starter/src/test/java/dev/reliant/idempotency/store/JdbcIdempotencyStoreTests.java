package dev.reliant.idempotency.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class JdbcIdempotencyStoreTests extends IdempotencyStoreContractTests {

    private static HikariDataSource dataSource;

    private static ExecutorService executor;

    private static JdbcIdempotencyStore store;

    @BeforeAll
    static void connect() {
        dataSource = TestPostgres.newSchema().dataSource(16);
        new IdempotencySchemaMigrator(dataSource, "reliant_idempotency_record", "reliant_idempotency_schema_history")
            .migrate();
        executor = Executors.newFixedThreadPool(16);
        store = new JdbcIdempotencyStore(new JdbcTemplate(dataSource), executor, "reliant_idempotency_record");
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
        String expired = key();
        String owner = owner();
        String other = owner();
        String fingerprint = "d".repeat(64);
        store.claim(live, owner, fingerprint, Duration.ofMinutes(5)).join();
        store.claim(expired, other, fingerprint, Duration.ofMinutes(5)).join();
        store.complete(expired, other, fingerprint, RecordState.COMPLETED,
                new StoredResponse(200, List.of(), new byte[0]), Duration.ofMillis(1)).join();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        org.awaitility.Awaitility.await()
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM reliant_idempotency_record "
                    + "WHERE storage_key = ? AND expires_at <= now()", Integer.class, expired) == 1);
        while (store.purgeExpired(100) > 0) {
            // drain every expired row, including other tests' ones
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_idempotency_record WHERE storage_key = ?",
                Integer.class, expired)).isZero();
        assertThat(store.find(live).join()).isPresent();
    }

    @Test
    void migrationsUseTheirOwnHistoryTable() {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_idempotency_schema_history WHERE success",
                Integer.class)).isPositive();
        new IdempotencySchemaMigrator(dataSource, "reliant_idempotency_record", "reliant_idempotency_schema_history")
            .migrate();
    }
}
