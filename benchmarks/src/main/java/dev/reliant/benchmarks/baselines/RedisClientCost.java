package dev.reliant.benchmarks.baselines;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.reliant.benchmarks.support.ClosedLoop;
import dev.reliant.benchmarks.support.CpuTime;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * What one Redis round trip costs the calling JVM in CPU, by how the client talks to Redis: a blocking RESP
 * connection per thread (the calling thread writes its command and reads the reply on its own socket), and one
 * shared Lettuce connection the way the idempotency store uses it (the calling thread hands the command to Lettuce's
 * event loop and waits on a future that the event loop completes), once with Lettuce's per-command timeout, which
 * Spring Boot turns on, and once without. Each is a closed loop of {@value #CLIENTS} threads sending {@code GET} of
 * one key, in interleaved rounds so that all three see the same drift of the machine.
 */
final class RedisClientCost {

    private static final int CLIENTS = 64;

    private static final String VALUE = "xxx";

    private RedisClientCost() {
    }

    static void measure(Duration phase, int rounds, boolean smoke) throws Exception {
        String key = Servers.newRedisKeyPrefix() + "client-cost";
        RedisClient client = RedisClient.create(RedisURI.create(Servers.redis()));
        client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()).build());
        try (StatefulRedisConnection<String, String> timed = client.connect();
                StatefulRedisConnection<String, String> untimed = client.connect()) {
            timed.setTimeout(Duration.ofSeconds(60));
            untimed.setTimeout(Duration.ZERO);
            timed.sync().set(key, VALUE);
            Map<String, Kind> kinds = new LinkedHashMap<>();
            kinds.put("blocking RESP socket per thread", new Kind(() -> new RespConnection(Servers.redis()),
                    connection -> VALUE.equals(connection.call(RespConnection.command("GET", key)))));
            kinds.put("Lettuce, shared connection, per-command timeout on (Spring Boot's default)",
                    new Kind(() -> shared(timed), connection -> lettuceGet(connection, key)));
            kinds.put("Lettuce, shared connection, per-command timeout off", new Kind(() -> shared(untimed),
                    connection -> lettuceGet(connection, key)));
            for (Kind kind : kinds.values()) {
                kind.run(phase.dividedBy(2), false);
            }
            for (int round = 0; round < rounds; round++) {
                for (Kind kind : kinds.values()) {
                    kind.run(phase, true);
                }
            }
            timed.sync().del(key);
            Table table = new Table("client", "GET/s", "p50 ms", "CPU µs per GET: JVM", "÷ blocking RESP");
            double blocking = kinds.values().iterator().next().cpuMicrosPerCall();
            kinds.forEach((name, kind) -> table.row(name, kind.operations * 1e9 / kind.wallNanos, kind.p50Millis(),
                    kind.cpuMicrosPerCall(), kind.cpuMicrosPerCall() / blocking));
            table.print(String.format("Redis client cost: GET of one key, %d threads, %d rounds of %d s per client%s",
                    CLIENTS, rounds, phase.toSeconds(), smoke ? " (smoke)" : ""));
        }
        finally {
            client.shutdown();
        }
    }

    /** A view of the shared connection for one client thread; closing it leaves the connection open. */
    private static Shared shared(StatefulRedisConnection<String, String> connection) {
        return new Shared(connection);
    }

    private static boolean lettuceGet(Shared shared, String key) throws Exception {
        return VALUE.equals(shared.connection().async().get(key).toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    private record Shared(StatefulRedisConnection<String, String> connection) implements AutoCloseable {

        @Override
        public void close() {
        }
    }

    /** One way of sending the command, and what its measured rounds added up to. */
    private static final class Kind {

        private final Callable<? extends AutoCloseable> connect;

        private final ClosedLoop.Operation<AutoCloseable> get;

        private long operations;

        private long wallNanos;

        private long cpuNanos;

        private final List<Double> p50s = new ArrayList<>();

        @SuppressWarnings("unchecked")
        <C extends AutoCloseable> Kind(Callable<C> connect, ClosedLoop.Operation<C> get) {
            this.connect = connect;
            this.get = (ClosedLoop.Operation<AutoCloseable>) get;
        }

        void run(Duration duration, boolean measured) throws Exception {
            long cpu = CpuTime.processNanos();
            ClosedLoop.Result result = ClosedLoop.run(CLIENTS, duration, connect::call, connection -> {
                if (!get.call(connection)) {
                    throw new IllegalStateException("GET answered another value");
                }
                return true;
            });
            if (measured) {
                cpuNanos += CpuTime.processNanos() - cpu;
                operations += result.operations();
                wallNanos += result.wallNanos();
                p50s.add(result.p50Millis());
            }
        }

        double cpuMicrosPerCall() {
            return cpuNanos / 1e3 / operations;
        }

        double p50Millis() {
            return p50s.stream().sorted().toList().get(p50s.size() / 2);
        }
    }
}
