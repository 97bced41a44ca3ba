package dev.reliant.idempotency.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.codec.RecordCodec;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Records in Redis, one string key per record (so Redis Cluster routes each operation to one node), with an expiry
 * on every key: the retention, counted from the claim while in progress and from the completion afterwards. The
 * lease end of an in-progress record is kept inside its value, written by the scripts from the server's clock, so
 * that a lapsed claim stays visible (and is taken over) until its retention ends. A claim and a replay cost one
 * round trip each; completing costs one more.
 */
public class RedisIdempotencyStore implements IdempotencyStore {

    private static final RedisScript CLAIM = RedisScript.load("claim", ScriptOutputType.VALUE);

    private static final RedisScript RENEW = RedisScript.load("renew", ScriptOutputType.INTEGER);

    private static final RedisScript COMPLETE = RedisScript.load("complete", ScriptOutputType.INTEGER);

    private static final RedisScript RELEASE = RedisScript.load("release", ScriptOutputType.INTEGER);

    private static final RedisScript EVICT = RedisScript.load("evict", ScriptOutputType.INTEGER);

    /** claim.lua's reply when it took over a lapsed claim; a record is never one byte long. */
    private static final byte TAKEN_OVER = 'T';

    private final LettuceConnectionFactory connectionFactory;

    private final String keyPrefix;

    private final Clock clock;

    private volatile SharedConnection sharedConnection;

    public RedisIdempotencyStore(LettuceConnectionFactory connectionFactory, String keyPrefix, Clock clock) {
        this.connectionFactory = connectionFactory;
        this.keyPrefix = keyPrefix;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<ClaimResult> claim(String key, String owner, String fingerprint, Duration lease,
            Duration retention) {
        // The script writes the lease end from the server's clock over the placeholder.
        byte[] record = RecordCodec
            .encode(new IdempotencyRecord(RecordState.IN_PROGRESS, owner, fingerprint, null, Instant.EPOCH));
        Duration life = (retention.compareTo(lease) > 0) ? retention : lease;
        return this
            .<byte[]>run(commands -> CLAIM.run(commands, redisKey(key), record, millis(lease), millis(life)))
            .thenApply(RedisIdempotencyStore::claimResult);
    }

    @Override
    public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
        return this.<Long>run(commands -> RENEW.run(commands, redisKey(key), ascii(owner), millis(lease)))
            .thenApply(RedisIdempotencyStore::isOne);
    }

    @Override
    public CompletableFuture<Boolean> complete(String key, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention) {
        byte[] record = RecordCodec
            .encode(new IdempotencyRecord(state, owner, fingerprint, response, clock.instant().plus(retention)));
        return this
            .<Long>run(commands -> COMPLETE.run(commands, redisKey(key), ascii(owner), record, millis(retention)))
            .thenApply(RedisIdempotencyStore::isOne);
    }

    @Override
    public CompletableFuture<Boolean> release(String key, String owner) {
        return this.<Long>run(commands -> RELEASE.run(commands, redisKey(key), ascii(owner)))
            .thenApply(RedisIdempotencyStore::isOne);
    }

    @Override
    public CompletableFuture<Optional<IdempotencyRecord>> find(String key) {
        return this.<byte[]>run(commands -> commands.get(redisKey(key)).toCompletableFuture())
            .thenApply(bytes -> Optional.ofNullable(bytes).map(RecordCodec::decode));
    }

    @Override
    public CompletableFuture<Eviction> evict(String key, boolean inProgressToo) {
        byte[] force = ascii(inProgressToo ? "1" : "0");
        return this.<Long>run(commands -> EVICT.run(commands, redisKey(key), force))
            .thenApply(RedisIdempotencyStore::eviction);
    }

    /**
     * Sends one command on the factory's native connection. The factory's shared connection (its default) is looked
     * up once and kept while it is open: a Spring connection wrapper per command cost as much as a fifth of the
     * store's own time. Otherwise each command takes a connection from the factory, and its wrapper is closed only
     * when the reply is in, so that a pooled native connection is not handed to another caller mid-command.
     */
    private <T> CompletableFuture<T> run(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletableFuture<T>> command) {
        SharedConnection shared = connectionFactory.getShareNativeConnection() ? sharedConnection() : null;
        if (shared != null) {
            try {
                return command.apply(shared.commands());
            }
            catch (RuntimeException ex) {
                return CompletableFuture.failedFuture(ex);
            }
        }
        RedisConnection connection = connectionFactory.getConnection();
        try {
            return command.apply(nativeCommands(connection)).whenComplete((result, ex) -> connection.close());
        }
        catch (RuntimeException ex) {
            connection.close();
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * The factory's shared native connection, which reconnects by itself after an outage; it is looked up again
     * when the factory closed it (a reset). {@code null} when it cannot be told whether it is open.
     */
    private SharedConnection sharedConnection() {
        SharedConnection shared = sharedConnection;
        if (shared != null && shared.connection().isOpen()) {
            return shared;
        }
        RedisConnection connection;
        try {
            connection = connectionFactory.getConnection();
        }
        catch (RuntimeException ex) {
            return null;
        }
        try {
            RedisClusterAsyncCommands<byte[], byte[]> commands = nativeCommands(connection);
            StatefulConnection<byte[], byte[]> stateful = (commands instanceof RedisAsyncCommands<byte[], byte[]> single)
                    ? single.getStatefulConnection()
                    : (commands instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster)
                            ? cluster.getStatefulConnection() : null;
            shared = (stateful != null) ? new SharedConnection(commands, stateful) : null;
        }
        finally {
            // Closing the wrapper of a shared connection leaves the shared connection open.
            connection.close();
        }
        sharedConnection = shared;
        return shared;
    }

    private static RedisClusterAsyncCommands<byte[], byte[]> nativeCommands(RedisConnection connection) {
        return ((LettuceConnection) connection).getNativeConnection();
    }

    private record SharedConnection(RedisClusterAsyncCommands<byte[], byte[]> commands,
            StatefulConnection<byte[], byte[]> connection) {
    }

    private static ClaimResult claimResult(byte[] reply) {
        if (reply == null) {
            return ClaimResult.claimed();
        }
        if (reply.length == 1 && reply[0] == TAKEN_OVER) {
            return ClaimResult.takenOver();
        }
        return ClaimResult.existing(RecordCodec.decode(reply));
    }

    /** evict.lua's reply: 1 evicted, 2 kept in progress, 0 absent. */
    private static Eviction eviction(Long reply) {
        if (reply == null || reply == 0L) {
            return Eviction.ABSENT;
        }
        return (reply == 1L) ? Eviction.EVICTED : Eviction.IN_PROGRESS;
    }

    private byte[] redisKey(String key) {
        return (keyPrefix + escape(key)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The storage key as it goes into the Redis key. Redis Cluster hashes only what stands between a key's first
     * opening brace and the next closing brace, so a client's key with braces would choose the node of its record.
     * A key with a brace is therefore percent-escaped (percent sign, opening and closing brace as {@code %25},
     * {@code %7B}, {@code %7D}) behind a leading {@code %}. Every other key stays as it is, so records written before
     * this escaping are still found; a key that starts with {@code %} is escaped too, so that no key that stays as
     * it is looks like an escaped one.
     */
    private static String escape(String key) {
        if (key.indexOf('{') < 0 && key.indexOf('}') < 0 && !key.startsWith("%")) {
            return key;
        }
        return "%" + key.replace("%", "%25").replace("{", "%7B").replace("}", "%7D");
    }

    private static byte[] ascii(String value) {
        return value.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] millis(Duration duration) {
        return Long.toString(Math.max(1, duration.toMillis())).getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean isOne(Long reply) {
        return reply != null && reply == 1L;
    }
}
