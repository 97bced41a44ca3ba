package dev.reliant.benchmarks.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.reliant.benchmarks.support.Cost;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import dev.reliant.outbox.autoconfigure.OutboxProperties;
import dev.reliant.outbox.jdbc.OutboxTables;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.jdbc.RelayStore.ClaimedMessage;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How the outbox's cost grows with its backlog. Per size, in a fresh schema: the backlog bulk-inserted on
 * {@value Backlog#KEYS} keys with the rows {@code Outbox#publish} writes; the relay's claim timed with every key due,
 * then with the head of every key backing off (nothing claimable); then one relay drains the backlog to RabbitMQ
 * with publisher confirms for a bounded time.
 * <p>
 * The claim is timed by calling the starter's own {@link RelayStore#claim} with the relay's settings: the relay's
 * {@code reliant.outbox.relay} observation starts only after the claim returned, and covers publishing and settling.
 * Each claim of due keys is released again (untimed), so that every claim sees the same backlog.
 */
public final class BacklogScale {

    private static final int POOL_SIZE = 8;

    /** Rows per insert statement: each its own transaction, as a writer's would be. */
    private static final int ROWS_PER_STATEMENT = 50_000;

    /** A retry delay far beyond the measurement, so that no head comes due while its claims are timed. */
    private static final Duration BACK_OFF = Duration.ofHours(1);

    private static final String PUBLISH_FAILURE = "org.springframework.amqp.AmqpConnectException:"
            + " java.net.ConnectException: Connection refused";

    private final Options options;

    private final Duration claimWarmUp;

    private final Duration claimPhase;

    private final Duration drainLimit;

    private BacklogScale(Options options) {
        this.options = options;
        this.claimWarmUp = Duration.ofMillis(options.pick(1_000, 200));
        this.claimPhase = Duration.ofSeconds(options.pick(5, 1));
        this.drainLimit = Duration.ofSeconds(options.pick(60, 30));
    }

    public static void run(Options options, int[] sizes) throws Exception {
        new BacklogScale(options).measure(sizes);
    }

    private void measure(int[] sizes) throws Exception {
        Table table = new Table("pending rows", "insert s", "due: claim p50 ms", "p99 ms", "claims",
                "heads backing off: claim p50 ms", "p99 ms", "claims", "drained", "drain s", "drained/s");
        for (int size : sizes) {
            System.out.printf("Outbox backlog of %,d: measuring%n", size);
            try (Receiver receiver = new RabbitReceiver(Servers.rabbit());
                    Servers.Schema schema = Servers.newSchema("scale")) {
                List<String> properties = Backlog.properties(schema, POOL_SIZE, "rabbit");
                long insertNanos;
                Cost due;
                Cost backingOff;
                try (ConfigurableApplicationContext writer = Backlog.startWriter(properties)) {
                    Rows rows = new Rows(writer);
                    long start = System.nanoTime();
                    rows.insert(receiver.destination(), size);
                    insertNanos = System.nanoTime() - start;
                    due = claims(rows, true);
                    rows.backOffHeads();
                    backingOff = claims(rows, false);
                    rows.headsDue();
                }
                Receiver.Arrivals drained = Backlog.drain(receiver, properties, 1, size, drainLimit);
                table.row(size, insertNanos / 1e9, due.millis(50), due.millis(99), due.operations(),
                        backingOff.millis(50), backingOff.millis(99), backingOff.operations(), drained.count(),
                        drained.spanNanos() / 1e9, drained.perSecond());
            }
        }
        table.print(String.format("Outbox backlog: claims with every key due and with every key's head backing off,"
                + " then one relay → RabbitMQ (confirmed) draining for at most %d s; %,d keys%s",
                drainLimit.toSeconds(), Backlog.KEYS, options.smoke() ? " (smoke)" : ""));
    }

    /**
     * Claims one after another for the warm-up and then the measured phase, timing each; every claim must find
     * messages ({@code due}) or find none.
     */
    private Cost claims(Rows rows, boolean due) {
        Cost cost = new Cost();
        long start = System.nanoTime();
        long measured = start + claimWarmUp.toNanos();
        long end = measured + claimPhase.toNanos();
        for (long now = start; now < end; now = System.nanoTime()) {
            UUID token = UUID.randomUUID();
            List<List<ClaimedMessage>> claimed = new ArrayList<>(1);
            cost.measure(now >= measured, () -> claimed.add(rows.claim(token)));
            if (claimed.get(0).isEmpty() == due) {
                throw new IllegalStateException("A claim " + (due ? "found nothing in a backlog of due keys"
                        : "found messages although every key's head is backing off"));
            }
            rows.release(token, claimed.get(0));
        }
        return cost;
    }

    /** The backlog's outbox table, written and claimed through the writer application's DataSource. */
    private static final class Rows {

        private final JdbcTemplate jdbc;

        private final OutboxTables tables;

        private final JsonMapper json;

        private final OutboxProperties.Relay relay;

        private final RelayStore store;

        private final UUID instance = UUID.randomUUID();

        private final String heads;

        Rows(ConfigurableApplicationContext writer) {
            DataSource dataSource = writer.getBean(DataSource.class);
            this.jdbc = new JdbcTemplate(dataSource);
            this.tables = writer.getBean(OutboxTables.class);
            this.json = writer.getBeanProvider(JsonMapper.class).getIfAvailable(JsonMapper::new);
            this.relay = writer.getBean(OutboxProperties.class).getRelay();
            // the relay's store as the starter builds it, on its own transactions
            this.store = new RelayStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                    json, tables, relay.isParkedBlocksKey());
            this.heads = "SELECT h.id FROM " + tables.keys() + " k CROSS JOIN LATERAL (SELECT o.id FROM "
                    + tables.outbox() + " o WHERE o.message_key = k.message_key AND o.status = 'PENDING'"
                    + " ORDER BY o.seq LIMIT 1) h";
        }

        /**
         * Inserts {@code count} messages, the n-th on the n-th key in turn, with the columns and values
         * {@code Outbox#publish} writes for the backlog writer's events (no trace headers, no dedupe key); the table's
         * defaults and its trigger fill in the rest, as for a published message.
         */
        void insert(String destination, int count) {
            List<String> keys = Backlog.keys();
            List<String> payloads = keys.stream()
                .map(key -> json.writeValueAsString(Map.of("key", key, "payload", OutboxBenchmark.PAYLOAD)))
                .toList();
            String headers = json.writeValueAsString(Map.of());
            String insert = "INSERT INTO " + tables.outbox()
                    + " (id, destination, message_key, type, payload, headers)"
                    + " SELECT gen_random_uuid(), ?, (?::text[])[i % ? + 1], 'order.placed', (?::text[])[i % ? + 1],"
                    + " ?::jsonb FROM generate_series(?, ?) AS i ORDER BY i";
            for (int from = 0; from < count; from += ROWS_PER_STATEMENT) {
                int first = from;
                int last = Math.min(count, from + ROWS_PER_STATEMENT) - 1;
                jdbc.update(insert, ps -> {
                    ps.setString(1, destination);
                    ps.setArray(2, ps.getConnection().createArrayOf("text", keys.toArray()));
                    ps.setInt(3, keys.size());
                    ps.setArray(4, ps.getConnection().createArrayOf("text", payloads.toArray()));
                    ps.setInt(5, keys.size());
                    ps.setString(6, headers);
                    ps.setInt(7, first);
                    ps.setInt(8, last);
                });
            }
            Long pending = jdbc.queryForObject("SELECT count(*) FROM " + tables.outbox()
                    + " WHERE status = 'PENDING'", Long.class);
            if (pending == null || pending != count) {
                throw new IllegalStateException("Inserted " + pending + " pending messages instead of " + count);
            }
        }

        /** One claim as the relay makes it, with the relay's settings. */
        List<ClaimedMessage> claim(UUID token) {
            return store.claim(relay.getBatchSize(), relay.getMessagesPerKey(), relay.getLease(), token, instance);
        }

        /** Hands a claim back untouched: its messages stay pending and its keys due. */
        void release(UUID token, List<ClaimedMessage> claimed) {
            if (claimed.isEmpty()) {
                return;
            }
            Map<String, UUID> tokens = new LinkedHashMap<>();
            claimed.forEach(message -> tokens.put(message.message().key(), token));
            List<UUID> ids = claimed.stream().map(message -> message.message().id()).toList();
            store.complete(new RelayStore.Completion(tokens, List.of(), List.of(), List.of(), ids));
        }

        /**
         * Puts the head of every key where a failed first attempt leaves it (one attempt, the error, due again after
         * the retry delay), then lets the relay's own claims find the heads not due and put their keys off until
         * then, as they do with a key whose head is backing off.
         */
        void backOffHeads() {
            jdbc.update("UPDATE " + tables.outbox() + " SET attempts = attempts + 1,"
                    + " available_at = now() + ? * interval '1 millisecond', last_error = ? WHERE id IN (" + heads
                    + ")", BACK_OFF.toMillis(), PUBLISH_FAILURE);
            String dueKeys = "SELECT count(*) FROM " + tables.keys() + " WHERE available_at <= now()";
            while (jdbc.queryForObject(dueKeys, Long.class) > 0) {
                if (!claim(UUID.randomUUID()).isEmpty()) {
                    throw new IllegalStateException("A claim found messages although every key's head is backing off");
                }
            }
        }

        /** The heads due again, as when their retry delay has run out, for the drain. */
        void headsDue() {
            jdbc.update("UPDATE " + tables.outbox() + " SET available_at = now() WHERE id IN (" + heads + ")");
            jdbc.update("UPDATE " + tables.keys() + " SET available_at = now()");
        }

    }

}
