package dev.reliant.idempotency.store;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.codec.RecordCodec;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import dev.reliant.idempotency.redis.RedisStoreClient;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.DisposableBean;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.types.Expiration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's contract and its Redis specifics, once per client: {@link LettuceRedisIdempotencyStoreTests} and
 * {@link JedisRedisIdempotencyStoreTests}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RedisIdempotencyStoreTests extends IdempotencyStoreContractTests {

    final String prefix = TestRedis.newKeyPrefix();

    static final String FINGERPRINT = "e".repeat(64);

    static final Duration LEASE = Duration.ofSeconds(30);

    static final Duration RETENTION = Duration.ofHours(1);

    RedisConnectionFactory connectionFactory;

    RedisIdempotencyStore store;

    /** A started connection factory of the client under test, to the test server. */
    abstract RedisConnectionFactory connectionFactory(TestRedis.Server redis);

    abstract RedisStoreClient client(RedisConnectionFactory connectionFactory);

    @BeforeAll
    void connect() {
        connectionFactory = connectionFactory(TestRedis.server());
        store = new RedisIdempotencyStore(client(connectionFactory), prefix, Clock.systemUTC());
    }

    @AfterAll
    void disconnect() throws Exception {
        ((DisposableBean) connectionFactory).destroy();
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
            int path = i % 5;
            Duration hour = Duration.ofHours(1);
            Duration day = Duration.ofDays(1);
            CompletableFuture<?> claim = store.claim(key, owner, fingerprint, Duration.ofMinutes(5), hour);
            pending.add(claim.thenCompose(claimed -> switch (path) {
                case 0 -> store.complete(key, owner, fingerprint, RecordState.COMPLETED, response, day);
                case 1 -> store.complete(key, owner, fingerprint, RecordState.NOT_STORED, response, hour);
                case 2 -> store.complete(key, owner, fingerprint, RecordState.UNSETTLED, response, hour);
                case 3 -> store.renew(key, owner, Duration.ofMinutes(10));
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
                    .scan(ScanOptions.scanOptions().match(prefix + "ttl:*").count(1000).build())) {
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
        assertThat(store.claim(key(), owner(), "c".repeat(64), Duration.ofSeconds(5), Duration.ofMinutes(1)).join())
            .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void leaseEndWrittenByTheScriptDecodesToTheServersClock() {
        long before = serverMillis();
        String key = key();
        store.claim(key, owner(), FINGERPRINT, Duration.ofSeconds(10), Duration.ofHours(1)).join();
        long after = serverMillis();
        assertThat(store.find(key).join().orElseThrow().expiresAt().toEpochMilli()).isBetween(before + 10_000,
                after + 10_000);
        String renewed = key();
        String owner = owner();
        store.claim(renewed, owner, FINGERPRINT, Duration.ofSeconds(1), Duration.ofHours(1)).join();
        before = serverMillis();
        store.renew(renewed, owner, Duration.ofDays(400)).join();
        after = serverMillis();
        assertThat(store.find(renewed).join().orElseThrow().expiresAt().toEpochMilli())
            .isBetween(before + Duration.ofDays(400).toMillis(), after + Duration.ofDays(400).toMillis());
    }

    @Test
    void leaseEndWrittenByTheCodecIsReadByTheScript() {
        String held = key();
        String lapsed = key();
        long now = serverMillis();
        write(held, Instant.ofEpochMilli(now + 60_000));
        write(lapsed, Instant.ofEpochMilli(now - 1));
        assertThat(store.claim(held, owner(), FINGERPRINT, LEASE, RETENTION).join())
            .isInstanceOf(ClaimResult.Existing.class);
        assertThat(store.claim(lapsed, owner(), FINGERPRINT, LEASE, RETENTION).join())
            .isEqualTo(ClaimResult.takenOver());
    }

    @Test
    void inProgressKeyLivesForItsRetentionAndAtLeastItsLease() {
        String key = key();
        String owner = owner();
        store.claim(key, owner, FINGERPRINT, Duration.ofSeconds(1), Duration.ofHours(1)).join();
        assertThat(timeToLive(key)).isGreaterThan(Duration.ofMinutes(59).toMillis());
        String shortLived = key();
        store.claim(shortLived, owner, FINGERPRINT, Duration.ofSeconds(1), Duration.ofSeconds(2)).join();
        store.renew(shortLived, owner, Duration.ofMinutes(10)).join();
        assertThat(timeToLive(shortLived)).isGreaterThan(Duration.ofMinutes(9).toMillis());
        store.renew(key, owner, Duration.ofSeconds(5)).join();
        assertThat(timeToLive(key)).as("a renewal never shortens the retention")
            .isGreaterThan(Duration.ofMinutes(59).toMillis());
    }

    @Test
    void bracesOfAKeyNeverReachRedisSoAClientCannotPickTheSlot() {
        String id = UUID.randomUUID().toString();
        String braced = "user%3Acontract:{" + id + "}";
        // The escaped form of the braced key, sent as a key of its own: it must not share the braced key's record.
        String lookalike = "%" + braced.replace("%", "%25").replace("{", "%7B").replace("}", "%7D");
        String owner = owner();
        assertThat(store.claim(braced, owner, FINGERPRINT, LEASE, RETENTION).join()).isEqualTo(ClaimResult.claimed());
        assertThat(store.claim(lookalike, owner(), FINGERPRINT, LEASE, RETENTION).join())
            .isEqualTo(ClaimResult.claimed());

        List<String> redisKeys = new ArrayList<>();
        try (RedisConnection connection = connectionFactory.getConnection();
                Cursor<byte[]> keys = connection.keyCommands()
                    .scan(ScanOptions.scanOptions().match(prefix + "*" + id + "*").count(1000).build())) {
            keys.forEachRemaining(key -> redisKeys.add(new String(key, StandardCharsets.UTF_8)));
        }
        assertThat(redisKeys).hasSize(2).noneMatch(key -> key.contains("{") || key.contains("}"));

        StoredResponse response = new StoredResponse(201, List.of(), new byte[] { 4, 2 });
        assertThat(store.complete(braced, owner, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isTrue();
        assertThat(store.find(braced).join()).hasValueSatisfying(record -> {
            assertThat(record.state()).isEqualTo(RecordState.COMPLETED);
            assertThat(record.response()).isEqualTo(response);
        });
        assertThat(store.find(lookalike).join().orElseThrow().state()).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(store.evict(braced, false).join()).isEqualTo(Eviction.EVICTED);
        assertThat(store.find(braced).join()).isEmpty();
        assertThat(store.find(lookalike).join()).isPresent();
    }

    private void write(String key, Instant leaseEnd) {
        byte[] record = RecordCodec
            .encode(new IdempotencyRecord(RecordState.IN_PROGRESS, owner(), FINGERPRINT, null, leaseEnd));
        try (RedisConnection connection = connectionFactory.getConnection()) {
            connection.stringCommands()
                .set(redisKey(key), record, Expiration.from(RETENTION), RedisStringCommands.SetOption.upsert());
        }
    }

    private long timeToLive(String key) {
        try (RedisConnection connection = connectionFactory.getConnection()) {
            return connection.keyCommands().pTtl(redisKey(key));
        }
    }

    private long serverMillis() {
        try (RedisConnection connection = connectionFactory.getConnection()) {
            return connection.serverCommands().time();
        }
    }

    private byte[] redisKey(String key) {
        return (prefix + key).getBytes(StandardCharsets.UTF_8);
    }
}
