package dev.reliant.benchmarks.baselines;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.benchmarks.outbox.OutboxBenchmark;
import dev.reliant.benchmarks.support.ClosedLoop;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.RabbitPerfTest;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The raw servers the starters run on, measured the way the reference figures were taken, so that one run can put
 * the starters next to what the servers themselves do under the same conditions: Redis round trips from synchronous
 * clients without pipelining, PostgreSQL single-row insert transactions and {@code SKIP LOCKED} batch claims,
 * RabbitMQ confirmed publishing by its own PerfTest.
 */
public final class BaselinesBenchmark {

    private static final int REDIS_CLIENTS = 64;

    private static final int INSERT_CLIENTS = 8;

    private static final int CLAIM_WORKERS = 4;

    private static final int CLAIM_BATCH = 500;

    /** {@code redis-benchmark}'s default value size. */
    private static final String REDIS_VALUE = "xxx";

    /** Only a bound: the claim workers stop when the table is empty, and the run fails if it is not by then. */
    private static final Duration CLAIM_BOUND = Duration.ofMinutes(5);

    private final Options options;

    private final Duration phase;

    private final Duration warmUp;

    private BaselinesBenchmark(Options options) {
        this.options = options;
        this.phase = Duration.ofSeconds(options.pick(10, 1));
        this.warmUp = Duration.ofSeconds(options.pick(2, 0));
    }

    public static void run(Options options) throws Exception {
        new BaselinesBenchmark(options).measure();
    }

    private void measure() throws Exception {
        Table table = new Table("server", "measure", "measured", "reference", "measured ÷ reference");
        redis(table);
        postgres(table);
        rabbit(table);
        table.print(String.format("Server baselines, %d s per phase%s", phase.toSeconds(),
                options.smoke() ? " (smoke)" : ""));
        System.out.println("\nAbove 1, measured ÷ reference is faster than the reference for a rate and slower for a "
                + "latency; against a range, it is the ratio to the range's upper end, then to its lower end.");
        System.out.println();
        RedisClientCost.measure(Duration.ofSeconds(options.pick(5, 1)), options.pick(3, 1), options.smoke());
    }

    /** GET of one key, synchronous, without pipelining: one client for the round trip, then 64 at once. */
    private void redis(Table table) throws Exception {
        String key = Servers.newRedisKeyPrefix() + "baseline";
        byte[] get = RespConnection.command("GET", key);
        Callable<RespConnection> connect = () -> new RespConnection(Servers.redis());
        ClosedLoop.Operation<RespConnection> read = connection -> {
            String value = connection.call(get);
            if (!REDIS_VALUE.equals(value)) {
                throw new IllegalStateException("GET " + key + " answered " + value);
            }
            return true;
        };
        try (RespConnection setup = connect.call()) {
            setup.call(RespConnection.command("SET", key, REDIS_VALUE));
            try {
                ClosedLoop.run(1, warmUp, connect, read);
                ClosedLoop.Result single = ClosedLoop.run(1, phase, connect, read);
                ClosedLoop.Result concurrent = ClosedLoop.run(REDIS_CLIENTS, phase, connect, read);
                row(table, "Redis", "GET round trip p50, 1 client, ms", single.p50Millis(), "0.039 ms", 0.039,
                        0.039);
                row(table, "Redis", "GET/s, " + REDIS_CLIENTS + " clients, no pipelining", concurrent.perSecond(),
                        "~48,000/s", 48_000, 48_000);
            }
            finally {
                setup.call(RespConnection.command("DEL", key));
            }
        }
    }

    private void postgres(Table table) throws Exception {
        try (Servers.Schema schema = Servers.newSchema("baselines");
                HikariDataSource dataSource = schema.dataSource(Math.max(INSERT_CLIENTS, CLAIM_WORKERS) + 1)) {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            row(table, "PostgreSQL", "single-row insert transactions/s, " + INSERT_CLIENTS + " clients",
                    inserts(dataSource, jdbc), "~6,600/s", 6_600, 6_600);
            int rows = options.pick(200_000, 10_000);
            Drain drain = claims(dataSource, jdbc, rows);
            row(table, "PostgreSQL", String.format("SKIP LOCKED claim+delete rows/s, %d-row batches, %d workers, "
                    + "%d tables of %,d rows", CLAIM_BATCH, CLAIM_WORKERS, drain.tables(), rows), drain.perSecond(),
                    "100,000–150,000 rows/s", 100_000, 150_000);
        }
    }

    /** Autocommit inserts of one row each, every client on its own connection; the rows are counted back. */
    private double inserts(HikariDataSource dataSource, JdbcTemplate jdbc) throws Exception {
        jdbc.execute("CREATE TABLE inserts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL)");
        Callable<Connection> connect = dataSource::getConnection;
        ClosedLoop.Operation<Connection> insert = connection -> {
            try (PreparedStatement statement = connection
                .prepareStatement("INSERT INTO inserts (payload) VALUES (?)")) {
                statement.setString(1, OutboxBenchmark.PAYLOAD);
                return statement.executeUpdate() == 1;
            }
        };
        ClosedLoop.run(INSERT_CLIENTS, warmUp, connect, insert);
        long before = count(jdbc, "inserts");
        ClosedLoop.Result result = ClosedLoop.run(INSERT_CLIENTS, phase, connect, insert);
        long inserted = count(jdbc, "inserts") - before;
        if (inserted != result.operations()) {
            throw new IllegalStateException(result.operations() + " inserts returned, " + inserted + " rows found");
        }
        return result.perSecond();
    }

    /**
     * A queue table filled and analyzed, then drained by workers that each claim and delete the 500 lowest ids no
     * other worker holds, in one autocommit statement, until a claim finds nothing left; again, on a truncated
     * table each time so that no drain inherits the last one's dead rows, until the drains add up to a phase.
     */
    private Drain claims(HikariDataSource dataSource, JdbcTemplate jdbc, int rows) throws Exception {
        jdbc.execute("CREATE TABLE claims (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL)");
        String claim = "DELETE FROM claims WHERE id IN (SELECT id FROM claims ORDER BY id LIMIT " + CLAIM_BATCH
                + " FOR UPDATE SKIP LOCKED)";
        Drain total = new Drain(0, 0, 0);
        while (total.nanos() < phase.toNanos()) {
            jdbc.execute("TRUNCATE claims");
            jdbc.update("INSERT INTO claims (payload) SELECT ? FROM generate_series(1, ?)", OutboxBenchmark.PAYLOAD,
                    rows);
            jdbc.execute("ANALYZE claims");
            LongAdder deleted = new LongAdder();
            ClosedLoop.Result result = ClosedLoop.run(CLAIM_WORKERS, CLAIM_BOUND, dataSource::getConnection,
                    connection -> {
                        try (PreparedStatement statement = connection.prepareStatement(claim)) {
                            int batch = statement.executeUpdate();
                            deleted.add(batch);
                            return batch > 0;
                        }
                    });
            long left = count(jdbc, "claims");
            if (deleted.sum() != rows || left != 0) {
                throw new IllegalStateException("Claimed " + deleted.sum() + " of " + rows + " rows, " + left
                        + " left");
            }
            total = new Drain(total.tables() + 1, total.rows() + rows, total.nanos() + result.wallNanos());
        }
        return total;
    }

    /** PerfTest: one producer and one consumer, persistent messages of the outbox messages' size. */
    private void rabbit(Table table) {
        int seconds = (int) phase.toSeconds();
        row(table, "RabbitMQ", "confirmed publish msg/s, 100 confirms outstanding",
                RabbitPerfTest.confirmedPublishRate(100, OutboxBenchmark.MESSAGE_BYTES, seconds),
                "10,000–12,000 msg/s", 10_000, 12_000);
        row(table, "RabbitMQ", "confirmed publish msg/s, each confirm awaited",
                RabbitPerfTest.confirmedPublishRate(1, OutboxBenchmark.MESSAGE_BYTES, seconds), "~1,100 msg/s",
                1_100, 1_100);
    }

    private static void row(Table table, String server, String measure, double measured, String reference,
            double low, double high) {
        Object ratio = low == high ? (Object) (measured / low)
                : String.format("%.3f–%.3f", measured / high, measured / low);
        table.row(server, measure, measured, reference, ratio);
    }

    private static long count(JdbcTemplate jdbc, String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    /** Tables drained so far, their rows, and the time the drains took (the fills left out). */
    private record Drain(int tables, long rows, long nanos) {

        double perSecond() {
            return rows / (nanos / 1e9);
        }

    }

}
