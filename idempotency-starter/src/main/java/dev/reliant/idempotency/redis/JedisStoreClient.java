package dev.reliant.idempotency.redis;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

/**
 * Sends the store's commands through a {@link JedisConnectionFactory} (standalone or Sentinel), on the calling
 * thread: the request thread writes each command and reads its reply itself, with no event loop to wake on the way
 * out and back. It pays instead for every command's own system calls, which Lettuce's event loop shares between the
 * commands of many requests; on the benchmark machine that came out a little cheaper per request than Lettuce, with a
 * higher tail latency (the benchmarks' results, section 1f).
 * <p>
 * A blocking read cannot be abandoned the way a future is: a call waits as long as the client's own timeouts let it
 * (its read timeout, {@code spring.data.redis.timeout}, and, when the pool opens a connection, its connect timeout),
 * whatever the store's time limit. A call that timed out leaves its connection broken, and the pool discards it, so
 * its late reply is never read by another call.
 */
public final class JedisStoreClient implements RedisStoreClient {

    private final CommandObjects commands = new CommandObjects();

    private final JedisConnectionFactory connectionFactory;

    private volatile RedisClient sharedClient;

    /** Whether the factory's native client may be a shared pooled one; cleared once it was found not to be. */
    private volatile boolean lookUpShared = true;

    /**
     * @throws IllegalArgumentException for a factory of a Redis Cluster, whose connections Jedis keeps to itself
     */
    public JedisStoreClient(JedisConnectionFactory connectionFactory) {
        if (connectionFactory.isRedisClusterAware()) {
            throw new IllegalArgumentException("The idempotency store does not support Redis Cluster through Jedis:"
                    + " use Lettuce (spring.data.redis.client-type=lettuce) for a cluster");
        }
        this.connectionFactory = connectionFactory;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> run(RedisScript script, byte[] key, byte[]... args) {
        byte[][] params = new byte[args.length + 1][];
        params[0] = key;
        System.arraycopy(args, 0, params, 1, args.length);
        return (CompletableFuture<T>) call(commands.evalsha(script.shaBytes(), 1, params),
                () -> commands.eval(script.sourceBytes(), 1, params));
    }

    @Override
    public CompletableFuture<byte[]> get(byte[] key) {
        return call(commands.get(key), null);
    }

    @Override
    public String name() {
        return "Jedis, on the request thread";
    }

    /**
     * Sends {@code command}, and the command {@code unloaded} supplies instead when the server does not know the
     * script yet; {@code null} for a command that runs no script. Built only then: it is rarely needed, and building
     * it costs as much as building the command itself.
     */
    private <T> CompletableFuture<T> call(CommandObject<T> command, Supplier<CommandObject<T>> unloaded) {
        try {
            RedisClient shared = sharedClient();
            if (shared != null) {
                return CompletableFuture.completedFuture(send(shared, command, unloaded));
            }
            try (RedisConnection connection = connectionFactory.getConnection()) {
                return CompletableFuture.completedFuture(send(connection.getNativeConnection(), command, unloaded));
            }
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * The factory's pooled client, when it has one (Spring Data Redis's default with Jedis 7): it is shared and
     * borrows a connection per command itself, so it is looked up once and kept while its pool is open. Going
     * through a Spring connection per call cost a transaction check on every close, as much as the command.
     */
    private RedisClient sharedClient() {
        RedisClient shared = sharedClient;
        if (shared != null && !shared.getPool().isClosed()) {
            return shared;
        }
        if (!lookUpShared) {
            return null;
        }
        try (RedisConnection connection = connectionFactory.getConnection()) {
            shared = (connection.getNativeConnection() instanceof RedisClient pooled) ? pooled : null;
        }
        lookUpShared = shared != null;
        sharedClient = shared;
        return shared;
    }

    private static <T> T send(Object client, CommandObject<T> command, Supplier<CommandObject<T>> unloaded) {
        if (client instanceof Jedis jedis) {
            Connection socket = jedis.getConnection();
            try {
                return socket.executeCommand(command);
            }
            catch (JedisNoScriptException ex) {
                return socket.executeCommand(unloaded.get());
            }
        }
        UnifiedJedis unified = (UnifiedJedis) client;
        try {
            return unified.executeCommand(command);
        }
        catch (JedisNoScriptException ex) {
            return unified.executeCommand(unloaded.get());
        }
    }
}
