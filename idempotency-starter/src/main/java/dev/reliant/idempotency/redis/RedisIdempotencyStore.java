package dev.reliant.idempotency.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.codec.RecordCodec;

/**
 * Records in Redis, one string key per record (so Redis Cluster routes each operation to one node), with an expiry
 * on every key: the retention, counted from the claim while in progress and from the completion afterwards. The
 * lease end of an in-progress record is kept inside its value, written by the scripts from the server's clock, so
 * that a lapsed claim stays visible (and is taken over) until its retention ends. A claim and a replay cost one
 * round trip each; completing costs one more. The commands go out through a {@link RedisStoreClient}: Lettuce's or
 * Jedis's, whichever the application's connection factory uses.
 */
public class RedisIdempotencyStore implements IdempotencyStore {

    private static final RedisScript CLAIM = RedisScript.load("claim", RedisScript.Reply.VALUE);

    private static final RedisScript RENEW = RedisScript.load("renew", RedisScript.Reply.INTEGER);

    private static final RedisScript COMPLETE = RedisScript.load("complete", RedisScript.Reply.INTEGER);

    private static final RedisScript RELEASE = RedisScript.load("release", RedisScript.Reply.INTEGER);

    private static final RedisScript EVICT = RedisScript.load("evict", RedisScript.Reply.INTEGER);

    /** claim.lua's reply when it took over a lapsed claim; a record is never one byte long. */
    private static final byte TAKEN_OVER = 'T';

    private final RedisStoreClient client;

    private final String keyPrefix;

    private final Clock clock;

    public RedisIdempotencyStore(RedisStoreClient client, String keyPrefix, Clock clock) {
        this.client = client;
        this.keyPrefix = keyPrefix;
        this.clock = clock;
    }

    /** How the commands reach Redis. */
    public RedisStoreClient client() {
        return client;
    }

    @Override
    public CompletableFuture<ClaimResult> claim(String key, String owner, String fingerprint, Duration lease,
            Duration retention) {
        // The script writes the lease end from the server's clock over the placeholder.
        byte[] record = RecordCodec
            .encode(new IdempotencyRecord(RecordState.IN_PROGRESS, owner, fingerprint, null, Instant.EPOCH));
        Duration life = (retention.compareTo(lease) > 0) ? retention : lease;
        return client.<byte[]>run(CLAIM, redisKey(key), record, millis(lease), millis(life))
            .thenApply(RedisIdempotencyStore::claimResult);
    }

    @Override
    public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
        return client.<Long>run(RENEW, redisKey(key), ascii(owner), millis(lease))
            .thenApply(RedisIdempotencyStore::isOne);
    }

    @Override
    public CompletableFuture<Boolean> complete(String key, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention) {
        byte[] record = RecordCodec
            .encode(new IdempotencyRecord(state, owner, fingerprint, response, clock.instant().plus(retention)));
        return client.<Long>run(COMPLETE, redisKey(key), ascii(owner), record, millis(retention))
            .thenApply(RedisIdempotencyStore::isOne);
    }

    @Override
    public CompletableFuture<Boolean> release(String key, String owner) {
        return client.<Long>run(RELEASE, redisKey(key), ascii(owner)).thenApply(RedisIdempotencyStore::isOne);
    }

    @Override
    public CompletableFuture<Optional<IdempotencyRecord>> find(String key) {
        return client.get(redisKey(key)).thenApply(bytes -> Optional.ofNullable(bytes).map(RecordCodec::decode));
    }

    @Override
    public CompletableFuture<Eviction> evict(String key, boolean inProgressToo) {
        byte[] force = ascii(inProgressToo ? "1" : "0");
        return client.<Long>run(EVICT, redisKey(key), force).thenApply(RedisIdempotencyStore::eviction);
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
