package dev.reliant.lock.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.redis.RedisLockStore;
import dev.reliant.testsupport.TestRedis;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

class RedisLockStoreTests extends LockStoreContractTests {

    private static final String PREFIX = TestRedis.newKeyPrefix();

    private static LettuceConnectionFactory connectionFactory;

    private static RedisLockStore store;

    @BeforeAll
    static void connect() {
        connectionFactory = LockTestServers.redisConnection();
        store = LockTestServers.redisStore(connectionFactory, PREFIX);
    }

    @AfterAll
    static void disconnect() {
        connectionFactory.destroy();
    }

    @Override
    protected LockStore store() {
        return store;
    }

    @Test
    void theLockAndItsCounterShareOneClusterSlot() {
        String name = name();
        store.tryAcquire(name, holder(), Duration.ofSeconds(5), 0).orElseThrow();
        try (RedisConnection connection = connectionFactory.getConnection()) {
            byte[] lock = (PREFIX + "{" + name + "}:lock").getBytes(StandardCharsets.UTF_8);
            byte[] counter = (PREFIX + "{" + name + "}:token").getBytes(StandardCharsets.UTF_8);
            assertThat(connection.keyCommands().exists(lock)).isTrue();
            assertThat(connection.keyCommands().pTtl(lock)).isPositive();
            assertThat(connection.keyCommands().pTtl(counter)).as("the counter never expires").isEqualTo(-1);
            assertThat(SlotHash.getSlot(lock)).isEqualTo(SlotHash.getSlot(counter));
        }
    }

    @Test
    void scriptsAreReloadedAfterTheServerForgetsThem() {
        try (RedisConnection connection = connectionFactory.getConnection()) {
            connection.scriptingCommands().scriptFlush();
        }
        String name = name();
        String holder = holder();
        LockGrant grant = store.tryAcquire(name, holder, Duration.ofSeconds(5), 0).orElseThrow();
        assertThat(store.release(name, holder, grant.token())).isPresent();
    }

}
