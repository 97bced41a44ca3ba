package dev.reliant.benchmarks.support;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A run's keys on the benchmark Redis, found by their key prefix, and the memory the server holds: for benchmarks
 * that store many records and must leave none behind.
 */
public final class RedisKeys implements AutoCloseable {

    /** Keys per {@code SCAN} step and per {@code DEL}. */
    private static final int BATCH = 1_000;

    private final RedisClient client;

    private final StatefulRedisConnection<String, String> connection;

    public RedisKeys() {
        this.client = RedisClient.create(Servers.redis().toString());
        this.connection = client.connect();
    }

    /**
     * {@code used_memory} of {@code INFO memory}: every byte the server's allocator holds, for all clients' keys
     * and the server's own structures.
     */
    public long usedMemory() {
        for (String line : connection.sync().info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("INFO memory has no used_memory");
    }

    /** {@code MEMORY USAGE} of one key: its value, its name and their bookkeeping, in bytes. */
    public long memoryUsage(String key) {
        Long usage = connection.sync().memoryUsage(key);
        if (usage == null) {
            throw new IllegalStateException("No key " + key);
        }
        return usage;
    }

    /** Every key that starts with {@code prefix}, which must hold no glob character. */
    public List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        scan(prefix, keys::addAll);
        return keys;
    }

    /**
     * Deletes every key that starts with {@code prefix}, which must hold no glob character.
     * @return how many were deleted
     */
    public long delete(String prefix) {
        RedisCommands<String, String> commands = connection.sync();
        long[] deleted = new long[1];
        scan(prefix, batch -> deleted[0] += commands.del(batch.toArray(String[]::new)));
        return deleted[0];
    }

    private void scan(String prefix, Consumer<List<String>> batch) {
        RedisCommands<String, String> commands = connection.sync();
        ScanArgs matching = ScanArgs.Builder.matches(prefix + "*").limit(BATCH);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> step = commands.scan(cursor, matching);
            if (!step.getKeys().isEmpty()) {
                batch.accept(step.getKeys());
            }
            cursor = step;
        }
        while (!cursor.isFinished());
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }

}
