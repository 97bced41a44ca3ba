package dev.reliant.outbox;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.outbox.jdbc.CommitNotifier;
import dev.reliant.outbox.jdbc.JdbcOutbox;
import dev.reliant.outbox.jdbc.OutboxTables;
import dev.reliant.outbox.jdbc.RelayInstances;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.relay.NotificationWaiter;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.relay.RelayObserver;
import dev.reliant.outbox.relay.RelaySettings;
import dev.reliant.outbox.relay.RetryPolicy;
import dev.reliant.outbox.support.LedgerTablePublisher;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A relay in a process of its own, for the kill tests: {@code RelayChildMain <jdbcUrl> <user> <password> <channel>
 * [hold]}. It relays to the {@code delivered} table, with a broker latency of 2 ms a message, until it is killed;
 * with {@code hold}, its broker never answers: the relay claims a batch and waits inside the first send, with the
 * default lease, until it is killed; with {@code write}, it also writes {@value #WRITTEN} messages, each of a key
 * of its own and in a transaction of its own, which it leases to its relay and hands over; its broker never
 * answers, so none of them is recorded.
 */
public final class RelayChildMain {

    static final int WRITTEN = 40;

    private RelayChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setUsername(args[1]);
        config.setPassword(args[2]);
        config.setMaximumPoolSize(4);
        // lets the test see when the server has finished this process's last statements after a kill
        config.addDataSourceProperty("ApplicationName", "relay-child-" + args[3]);
        HikariDataSource dataSource = new HikariDataSource(config);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        OutboxTables tables = new OutboxTables(null, "reliant_outbox", "reliant_inbox", args[3]);
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        RelayStore store = new RelayStore(jdbc, transactions, new JsonMapper(), tables, true);
        RetryPolicy retry = new RetryPolicy(
                RetryPolicy.exponentialWithJitter(Duration.ofMillis(100), 2.0, 0.5, Duration.ofSeconds(1)), 20,
                List.of());
        boolean write = args.length > 4 && args[4].equals("write");
        boolean hold = write || args.length > 4 && args[4].equals("hold");
        OutboxPublisher publisher = hold ? RelayChildMain::neverAnswer
                : new LedgerTablePublisher(jdbc, Duration.ofMillis(2));
        Duration lease = hold ? Duration.ofMinutes(1) : Duration.ofSeconds(3);
        Duration publishTimeout = hold ? Duration.ofSeconds(20) : Duration.ofSeconds(1);
        OutboxRelay relay = new OutboxRelay(store, new RelayInstances(jdbc, transactions, tables), publisher, retry,
                new RelaySettings(20, 5, lease, publishTimeout, Duration.ofMillis(200), 2, Duration.ofMillis(5),
                        Duration.ofSeconds(5), Duration.ofSeconds(1)),
                new NotificationWaiter(dataSource, tables.channel()), RelayObserver.NONE);
        relay.start();
        System.out.println("relay started");
        if (write) {
            while (relay.holder() == null) {
                Thread.onSpinWait();
            }
            JdbcOutbox outbox = new JdbcOutbox(jdbc, tables, new JsonMapper(), List.of(),
                    new CommitNotifier(jdbc, tables.channel(), Duration.ofMillis(10)), relay);
            for (int i = 0; i < WRITTEN; i++) {
                String key = "key-" + i;
                int n = i;
                transactions.executeWithoutResult((status) -> outbox.publish("orders", key, "counted", n));
            }
            System.out.println("written");
        }
        // the relay's thread is a daemon: the process lives until it is killed
        Thread.currentThread().join();
    }

    private static CompletableFuture<Void> neverAnswer(OutboxMessage message) {
        System.out.println("sending " + message.id());
        for (;;) {
            LockSupport.park();
        }
    }
}
