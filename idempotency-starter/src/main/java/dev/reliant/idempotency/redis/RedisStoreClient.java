package dev.reliant.idempotency.redis;

import java.util.concurrent.CompletableFuture;

/**
 * How the {@link RedisIdempotencyStore} reaches Redis: through Lettuce ({@link LettuceStoreClient}, Spring Boot's
 * default client), whose event loop sends and receives every command while the calling thread waits, or through
 * Jedis ({@link JedisStoreClient}), which writes and reads on the calling thread. Either answers every call with a
 * future; a failure, whatever it was, fails the future rather than being thrown.
 */
public sealed interface RedisStoreClient permits LettuceStoreClient, JedisStoreClient {

    /** Runs a script on {@code key} with {@code args}; its reply is a {@code byte[]} or a {@code Long}. */
    <T> CompletableFuture<T> run(RedisScript script, byte[] key, byte[]... args);

    /** {@code GET key}. */
    CompletableFuture<byte[]> get(byte[] key);

    /** The client's name, for the startup report. */
    String name();

}
