package dev.reliant.idempotency.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Sends the store's commands through a {@link LettuceConnectionFactory}: standalone, Sentinel or Cluster, as the
 * factory is configured. The calling thread hands each command to Lettuce's event loop and waits for the reply the
 * event loop receives.
 */
public final class LettuceStoreClient implements RedisStoreClient {

    private final LettuceConnectionFactory connectionFactory;

    private volatile SharedConnection sharedConnection;

    public LettuceStoreClient(LettuceConnectionFactory connectionFactory) {
        this.connectionFactory = connectionFactory;
    }

    @Override
    public <T> CompletableFuture<T> run(RedisScript script, byte[] key, byte[]... args) {
        byte[][] keys = { key };
        ScriptOutputType output = (script.reply() == RedisScript.Reply.VALUE) ? ScriptOutputType.VALUE
                : ScriptOutputType.INTEGER;
        return send(commands -> commands.<T>evalsha(script.sha(), output, keys, args)
            .toCompletableFuture()
            .exceptionallyCompose(ex -> {
                if (unwrap(ex) instanceof RedisNoScriptException) {
                    return commands.<T>eval(script.source(), output, keys, args).toCompletableFuture();
                }
                return CompletableFuture.failedFuture(ex);
            }));
    }

    @Override
    public CompletableFuture<byte[]> get(byte[] key) {
        return send(commands -> commands.get(key).toCompletableFuture());
    }

    @Override
    public String name() {
        return "Lettuce";
    }

    /**
     * Sends one command on the factory's native connection. The factory's shared connection (its default) is looked
     * up once and kept while it is open: a Spring connection wrapper per command cost as much as a fifth of the
     * store's own time. Otherwise each command takes a connection from the factory, and its wrapper is closed only
     * when the reply is in, so that a pooled native connection is not handed to another caller mid-command.
     */
    private <T> CompletableFuture<T> send(
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
        RedisConnection connection;
        try {
            connection = connectionFactory.getConnection();
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
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
            StatefulConnection<byte[], byte[]> stateful =
                    (commands instanceof RedisAsyncCommands<byte[], byte[]> single) ? single.getStatefulConnection()
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

    private static Throwable unwrap(Throwable ex) {
        return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
    }

    private record SharedConnection(RedisClusterAsyncCommands<byte[], byte[]> commands,
            StatefulConnection<byte[], byte[]> connection) {
    }
}
