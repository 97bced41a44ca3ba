package dev.reliant.benchmarks.support;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/** Redis's own count of the commands it ran ({@code INFO commandstats}), read before and after a run. */
public final class RedisCommands implements AutoCloseable {

    private final RedisClient client;

    private final StatefulRedisConnection<String, String> connection;

    public RedisCommands() {
        this.client = RedisClient.create(Servers.redis().toString());
        this.connection = client.connect();
    }

    /** Calls per command name so far, {@code INFO} itself left out. */
    public Map<String, Long> snapshot() {
        Map<String, Long> counts = new HashMap<>();
        for (String line : connection.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
                int calls = line.indexOf("calls=") + "calls=".length();
                counts.put(line.substring("cmdstat_".length(), line.indexOf(':')),
                        Long.parseLong(line.substring(calls, line.indexOf(',', calls))));
            }
        }
        return counts;
    }

    /** Commands between two snapshots per request, e.g. {@code evalsha=1.00}, and their total. */
    public static String perRequest(Map<String, Long> before, Map<String, Long> after, long requests) {
        StringBuilder out = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Long> entry : new TreeMap<>(after).entrySet()) {
            long delta = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            if (delta > 0) {
                total += delta;
                out.append(String.format("%s=%.2f ", entry.getKey(), (double) delta / requests));
            }
        }
        return String.format("%.2f (%s)", (double) total / requests, out.toString().trim());
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }

}
