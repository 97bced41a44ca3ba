package dev.reliant.lock.store;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.jdbc.JdbcLockStore;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class JdbcLockStoreTests extends LockStoreContractTests {

    private static HikariDataSource dataSource;

    private static JdbcLockStore store;

    @BeforeAll
    static void connect() {
        dataSource = TestPostgres.newSchema().dataSource(20);
        LockTestServers.migrate(dataSource);
        store = LockTestServers.jdbcStore(dataSource);
    }

    @AfterAll
    static void disconnect() {
        dataSource.close();
    }

    @Override
    protected LockStore store() {
        return store;
    }

    @Test
    void tokensKeepRisingForANewStoreOnTheSameTable() {
        String name = name();
        String holder = holder();
        LockGrant before = store.tryAcquire(name, holder, Duration.ofSeconds(5), 0).orElseThrow();
        store.release(name, holder, before.token());
        LockGrant after = LockTestServers.jdbcStore(dataSource)
            .tryAcquire(name, holder(), Duration.ofSeconds(5), 0)
            .orElseThrow();
        assertThat(after.token()).isGreaterThan(before.token());
    }

    @Test
    void migrationsUseTheirOwnHistoryTable() {
        assertThat(new JdbcTemplate(dataSource).queryForObject(
                "SELECT count(*) FROM reliant_lock_schema_history WHERE success", Integer.class))
            .isPositive();
        LockTestServers.migrate(dataSource);
    }

}
