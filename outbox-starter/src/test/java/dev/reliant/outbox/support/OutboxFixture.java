package dev.reliant.outbox.support;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.jdbc.CommitNotifier;
import dev.reliant.outbox.jdbc.JdbcOutbox;
import dev.reliant.outbox.jdbc.JdbcParkedMessages;
import dev.reliant.outbox.jdbc.OutboxTables;
import dev.reliant.outbox.jdbc.RelayInstances;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.relay.NotificationWaiter;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.relay.RelayObserver;
import dev.reliant.outbox.relay.RelaySettings;
import dev.reliant.outbox.relay.RetryPolicy;
import dev.reliant.outbox.schema.OutboxSchemaInitializer;
import dev.reliant.testsupport.TestPostgres;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An outbox in a fresh schema of the test PostgreSQL, wired by hand, with relays built on demand. */
public final class OutboxFixture implements AutoCloseable {

    public final TestPostgres.Schema schema;

    public final HikariDataSource dataSource;

    public final OutboxTables tables;

    public final JdbcTemplate jdbc;

    public final TransactionTemplate transactions;

    public final JdbcOutbox outbox;

    public final JdbcParkedMessages parked;

    public final JsonMapper json = new JsonMapper();

    private final CommitNotifier commitNotifier;

    private final List<OutboxRelay> relays = new CopyOnWriteArrayList<>();

    public OutboxFixture() {
        this(8);
    }

    public OutboxFixture(int poolSize) {
        this.schema = TestPostgres.newSchema();
        this.dataSource = schema.dataSource(poolSize);
        // a channel of its own, so that tests sharing one server do not wake each other's relays
        this.tables = new OutboxTables(null, "reliant_outbox", "reliant_inbox", "outbox_" + schema.name());
        new OutboxSchemaInitializer(dataSource, tables).afterPropertiesSet();
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.commitNotifier = new CommitNotifier(jdbc, tables.channel(), Duration.ofMillis(10));
        this.outbox = new JdbcOutbox(jdbc, tables, json, List.of(), commitNotifier);
        this.parked = new JdbcParkedMessages(jdbc, transactions, tables);
    }

    /** A writer on this fixture's tables that leases the keys it starts to {@code relay} and hands them over. */
    public JdbcOutbox handingOffTo(OutboxRelay relay) {
        return new JdbcOutbox(jdbc, tables, json, List.of(), commitNotifier, relay);
    }

    /** The instance liveness table's statements. */
    public RelayInstances instances() {
        return new RelayInstances(jdbc, transactions, tables);
    }

    /** The relay worker threads of every relay running in this JVM. */
    public static List<Thread> relayWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> thread.getName().matches("reliant-outbox-relay(-\\d+)?"))
            .toList();
    }

    public RelayBuilder relay(OutboxPublisher publisher) {
        return new RelayBuilder(publisher);
    }

    /** Writes one message in its own transaction. */
    public UUID write(String destination, String key, Object payload) {
        return transactions.execute((status) -> outbox.publish(destination, key, "test.event", payload));
    }

    public String status(UUID id) {
        return jdbc.queryForObject("SELECT status FROM reliant_outbox WHERE id = ?", String.class, id);
    }

    public long count(String where) {
        return jdbc.queryForObject("SELECT count(*) FROM reliant_outbox WHERE " + where, Long.class);
    }

    /**
     * Ends the server process of the one connection listening on the outbox channel, as a network failure or a
     * database restart would, and waits until it is gone.
     */
    public void terminateListener() {
        String listen = "LISTEN " + tables.channel();
        assertThat(jdbc.queryForObject("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = ?",
                Long.class, listen)).isOne();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE query = ?", Long.class,
                    listen) == 0);
    }

    @Override
    public void close() {
        relays.forEach(OutboxRelay::stop);
        schema.drop(dataSource);
        dataSource.close();
    }

    public final class RelayBuilder {

        private final OutboxPublisher publisher;

        private int batchSize = 50;

        private int perKey = 10;

        private Duration lease = Duration.ofSeconds(10);

        private Duration publishTimeout = Duration.ofSeconds(5);

        private Duration pollInterval = Duration.ofMillis(200);

        private boolean listen = true;

        private boolean parkedBlocksKey = true;

        private int workers = 1;

        private Duration instanceTimeout = Duration.ofSeconds(5);

        private Duration heartbeatInterval = Duration.ofSeconds(1);

        private RetryPolicy retryPolicy = new RetryPolicy(
                RetryPolicy.exponentialWithJitter(Duration.ofMillis(50), 2.0, 0.5, Duration.ofSeconds(1)), 20,
                List.of());

        private RelayObserver observer = RelayObserver.NONE;

        private Consumer<RelayStore.Completion> beforeComplete = (completion) -> {
        };

        private Consumer<List<RelayStore.ClaimedMessage>> afterClaim = (claimed) -> {
        };

        private Consumer<RelayStore.Completion> afterComplete = (completion) -> {
        };

        private Consumer<Duration> claimTook = (took) -> {
        };

        private Consumer<Runnable> aroundDueKeysRead = Runnable::run;

        private RelayBuilder(OutboxPublisher publisher) {
            this.publisher = publisher;
        }

        public RelayBuilder batch(int keys, int perKey) {
            this.batchSize = keys;
            this.perKey = perKey;
            return this;
        }

        public RelayBuilder workers(int workers) {
            this.workers = workers;
            return this;
        }

        public RelayBuilder lease(Duration lease, Duration publishTimeout) {
            this.lease = lease;
            this.publishTimeout = publishTimeout;
            return this;
        }

        public RelayBuilder liveness(Duration instanceTimeout, Duration heartbeatInterval) {
            this.instanceTimeout = instanceTimeout;
            this.heartbeatInterval = heartbeatInterval;
            return this;
        }

        public RelayBuilder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        public RelayBuilder listen(boolean listen) {
            this.listen = listen;
            return this;
        }

        public RelayBuilder parkedBlocksKey(boolean parkedBlocksKey) {
            this.parkedBlocksKey = parkedBlocksKey;
            return this;
        }

        public RelayBuilder retry(RetryPolicy retryPolicy) {
            this.retryPolicy = retryPolicy;
            return this;
        }

        public RelayBuilder observer(RelayObserver observer) {
            this.observer = observer;
            return this;
        }

        /** Runs before each batch's outcome is recorded; throwing there leaves the batch unsettled, as a crash. */
        public RelayBuilder beforeComplete(Consumer<RelayStore.Completion> beforeComplete) {
            this.beforeComplete = beforeComplete;
            return this;
        }

        /** Runs after each batch's outcome was recorded. */
        public RelayBuilder afterComplete(Consumer<RelayStore.Completion> afterComplete) {
            this.afterComplete = afterComplete;
            return this;
        }

        /** Sees every claimed batch. */
        public RelayBuilder afterClaim(Consumer<List<RelayStore.ClaimedMessage>> afterClaim) {
            this.afterClaim = afterClaim;
            return this;
        }

        /** Sees how long each claim took. */
        /** Runs when a claim has read its due keys, around the relay's own callback (which it must run). */
        public RelayBuilder aroundDueKeysRead(Consumer<Runnable> aroundDueKeysRead) {
            this.aroundDueKeysRead = aroundDueKeysRead;
            return this;
        }

        public RelayBuilder claimTook(Consumer<Duration> claimTook) {
            this.claimTook = claimTook;
            return this;
        }

        public OutboxRelay build() {
            RelayStore store = new RelayStore(jdbc, transactions, json, tables, parkedBlocksKey) {
                @Override
                public List<ClaimedMessage> claim(int keys, int perKey, Duration lease, UUID token, UUID instance,
                        Runnable dueKeysRead) {
                    long started = System.nanoTime();
                    List<ClaimedMessage> claimed = super.claim(keys, perKey, lease, token, instance,
                            () -> aroundDueKeysRead.accept(dueKeysRead));
                    claimTook.accept(Duration.ofNanos(System.nanoTime() - started));
                    afterClaim.accept(claimed);
                    return claimed;
                }

                @Override
                public int complete(Completion completion) {
                    beforeComplete.accept(completion);
                    int due = super.complete(completion);
                    afterComplete.accept(completion);
                    return due;
                }
            };
            OutboxRelay relay = new OutboxRelay(store, instances(), publisher, retryPolicy,
                    new RelaySettings(batchSize, perKey, lease, publishTimeout, pollInterval, workers,
                            Duration.ofMillis(5), instanceTimeout, heartbeatInterval),
                    listen ? new NotificationWaiter(dataSource, tables.channel()) : null, observer);
            // as if every relay ran in the writers' instance: each commit wakes each relay at once
            commitNotifier.addLocalListener(relay::committedHere);
            relays.add(relay);
            return relay;
        }

        public OutboxRelay start() {
            OutboxRelay relay = build();
            relay.start();
            return relay;
        }
    }
}
