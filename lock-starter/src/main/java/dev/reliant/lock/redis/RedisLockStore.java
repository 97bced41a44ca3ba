package dev.reliant.lock.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockStore;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Locks in Redis: per name a hash {@code <prefix>{name}:lock} (holder, token; its expiry is the lease) and a
 * counter {@code <prefix>{name}:token} without expiry. The hash tag puts both in one slot, so each operation is one
 * Lua script, one round trip, also on Redis Cluster. Times come from the server's {@code TIME}.
 * <p>
 * The counter lives as long as Redis keeps it: a flush, a restart without persistence or a failover to a replica
 * that missed the last increments restarts it lower. Acquisitions pass a floor (the highest token the caller has
 * seen) and {@link #raiseTokenFloor} lifts the counter past a fence that refused a write; the fence in the
 * database is what refuses an older holder whatever the counter does.
 */
public class RedisLockStore implements LockStore {

    private static final RedisScript<List> ACQUIRE = script("acquire", List.class);

    private static final RedisScript<List> RENEW = script("renew", List.class);

    private static final RedisScript<List> RELEASE = script("release", List.class);

    private static final RedisScript<Long> RAISE_FLOOR = script("raise-floor", Long.class);

    private final StringRedisTemplate redis;

    private final String keyPrefix;

    public RedisLockStore(StringRedisTemplate redis, String keyPrefix) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public Optional<LockGrant> tryAcquire(String name, String holder, Duration lease, long tokenFloor) {
        List<?> reply = redis.execute(ACQUIRE, List.of(lockKey(name), counterKey(name)), holder, millis(lease),
                Long.toString(tokenFloor));
        if (number(reply, 0) != 1) {
            return Optional.empty();
        }
        return Optional.of(new LockGrant(name, holder, number(reply, 1), Instant.ofEpochMilli(number(reply, 2)),
                Instant.ofEpochMilli(number(reply, 3))));
    }

    @Override
    public Optional<Instant> renew(String name, String holder, long token, Duration lease) {
        List<?> reply = redis.execute(RENEW, List.of(lockKey(name)), holder, Long.toString(token), millis(lease));
        return number(reply, 0) == 1 ? Optional.of(Instant.ofEpochMilli(number(reply, 1))) : Optional.empty();
    }

    @Override
    public Optional<Instant> release(String name, String holder, long token) {
        List<?> reply = redis.execute(RELEASE, List.of(lockKey(name)), holder, Long.toString(token));
        return number(reply, 0) == 1 ? Optional.of(Instant.ofEpochMilli(number(reply, 1))) : Optional.empty();
    }

    @Override
    public void raiseTokenFloor(String name, long floor) {
        redis.execute(RAISE_FLOOR, List.of(counterKey(name)), Long.toString(floor));
    }

    @Override
    public void ping() {
        redis.execute(connection -> connection.ping(), true);
    }

    String lockKey(String name) {
        return keyPrefix + "{" + name + "}:lock";
    }

    String counterKey(String name) {
        return keyPrefix + "{" + name + "}:token";
    }

    private static long number(List<?> reply, int index) {
        if (reply == null || reply.size() <= index) {
            throw new IllegalStateException("Unexpected reply from a lock script: " + reply);
        }
        return ((Number) reply.get(index)).longValue();
    }

    private static String millis(Duration duration) {
        return Long.toString(Math.max(1, duration.toMillis()));
    }

    private static <T> RedisScript<T> script(String name, Class<T> resultType) {
        try (InputStream in = new ClassPathResource("dev/reliant/lock/redis/" + name + ".lua").getInputStream()) {
            return new DefaultRedisScript<>(new String(in.readAllBytes(), StandardCharsets.UTF_8), resultType);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Missing lock script " + name, ex);
        }
    }

}
