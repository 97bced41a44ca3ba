package dev.reliant.idempotency.store;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

import static org.assertj.core.api.Assertions.assertThat;

class RedisIdempotencyStoreTests extends IdempotencyStoreContractTests {

    private static final String PREFIX = TestRedis.newKeyPrefix();

    private static LettuceConnectionFactory connectionFactory;

    private static RedisIdempotencyStore store;

    @BeforeAll
    static void connect() {
        TestRedis.Server redis = TestRedis.server();
        connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        store = new RedisIdempotencyStore(connectionFactory, PREFIX, Clock.systemUTC());
    }

    @AfterAll
    static void disconnect() {
        connectionFactory.destroy();
    }

    @Override
    protected IdempotencyStore store() {
        return store;
    }

    @Test
    void everyKeyWrittenHasATimeToLive() {
        String fingerprint = "f".repeat(64);
        StoredResponse response = new StoredResponse(200, List.of(), "ok".getBytes(StandardCharsets.UTF_8));
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String key = "ttl:" + i;
            String owner = owner();
            int path = i % 4;
            pending.add(store.claim(key, owner, fingerprint, Duration.ofMinutes(5)).thenCompose(claimed -> switch (path) {
                case 0 -> store.complete(key, owner, fingerprint, RecordState.COMPLETED, response, Duration.ofHours(24));
                case 1 -> store.complete(key, owner, fingerprint, RecordState.NOT_STORED, response, Duration.ofHours(1));
                case 2 -> store.renew(key, owner, Duration.ofMinutes(10));
                default -> CompletableFuture.completedFuture(true);
            }));
            if (pending.size() == 500) {
                CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
                pending.clear();
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();

        int scanned = 0;
        try (RedisConnection connection = connectionFactory.getConnection();
                Cursor<byte[]> keys = connection.keyCommands()
                    .scan(ScanOptions.scanOptions().match(PREFIX + "ttl:*").count(1000).build())) {
            while (keys.hasNext()) {
                byte[] key = keys.next();
                Long ttl = connection.keyCommands().pTtl(key);
                assertThat(ttl).as("TTL of %s", new String(key, StandardCharsets.UTF_8)).isPositive();
                scanned++;
            }
        }
        assertThat(scanned).isEqualTo(10_000);
    }

    @Test
    void scriptsAreReloadedAfterTheServerForgetsThem() {
        try (RedisConnection connection = connectionFactory.getConnection()) {
            connection.scriptingCommands().scriptFlush();
        }
        assertThat(store.claim(key(), owner(), "c".repeat(64), Duration.ofSeconds(5)).join())
            .isInstanceOf(ClaimResult.Claimed.class);
    }
}
