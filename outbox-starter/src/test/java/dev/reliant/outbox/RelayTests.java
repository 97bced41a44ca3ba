package dev.reliant.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.reliant.outbox.jdbc.CommitNotifier;
import dev.reliant.outbox.jdbc.JdbcOutbox;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.relay.RelayObserver;
import dev.reliant.outbox.relay.RelaySettings;
import dev.reliant.outbox.relay.RetryPolicy;
import dev.reliant.outbox.support.Ledger;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.Latches;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RelayTests {

    OutboxFixture fixture;

    Ledger ledger;

    @BeforeEach
    void setUp() {
        fixture = new OutboxFixture();
        ledger = new Ledger();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void publishesCommittedMessagesPerKeyInOrderAndMarksThemPublished() {
        fixture.relay(ledger).start();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            for (String key : List.of("a", "b", "c")) {
                ids.add(fixture.write("orders", key, Map.of("n", i)));
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> fixture.count("status = 'PUBLISHED'") == 15);
        assertThat(ledger.ids()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ledger.size()).isEqualTo(15);
        for (String key : List.of("a", "b", "c")) {
            assertThat(ledger.forKey(key)).extracting(OutboxMessage::payload)
                .containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
        }
    }

    /**
     * One key's acknowledgement is late; the other key of the same batch goes on without it, each of its messages
     * sent once the one before was acknowledged, and the late key follows when its answer comes.
     */
    @Test
    void aKeysNextMessageIsSentWhenItsPreviousIsAcknowledgedWithoutWaitingForTheOtherKeys() {
        List<UUID> fast = new ArrayList<>();
        UUID slow = fixture.write("orders", "slow", Map.of("n", 0));
        UUID slowSecond = fixture.write("orders", "slow", Map.of("n", 1));
        for (int i = 0; i < 4; i++) {
            fast.add(fixture.write("orders", "fast", Map.of("n", i)));
        }
        CompletableFuture<Void> slowAnswer = new CompletableFuture<>();
        fixture.relay((message) -> message.id().equals(slow)
                ? slowAnswer.thenCompose((ignored) -> ledger.publish(message)) : ledger.publish(message))
            .lease(Duration.ofMinutes(5), Duration.ofMinutes(1))
            .workers(1)
            .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.forKey("fast").size() == 4);
        assertThat(ledger.forKey("fast")).extracting(OutboxMessage::id).containsExactlyElementsOf(fast);
        assertThat(ledger.forKey("slow")).as("the late key's next message waits for its answer").isEmpty();

        slowAnswer.complete(null);
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count("status = 'PUBLISHED'") == 6);
        assertThat(ledger.forKey("slow")).extracting(OutboxMessage::id)
            .containsExactly(slow, slowSecond);
    }

    @Test
    void aCommitWakesAnIdleRelayLongBeforeItsPollInterval() {
        fixture.relay(ledger).pollInterval(Duration.ofMinutes(10)).start();
        // the listening connection's last statement stays its LISTEN
        await().atMost(Duration.ofSeconds(60)).until(() -> fixture.jdbc.queryForObject(
                "SELECT count(*) FROM pg_stat_activity WHERE query = ?", Long.class,
                "LISTEN " + fixture.tables.channel()) == 1);
        fixture.write("orders", "wake", Map.of("n", 1));
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.size() == 1);
    }

    /**
     * A transaction of its own (REQUIRES_NEW) inside one that wrote a message wakes the relay with its own commit,
     * while the outer transaction is still open; the relay neither listens nor polls within the test.
     */
    @Test
    void aTransactionStartedInsideAWriterWakesTheRelayAtItsOwnCommit() {
        fixture.relay(ledger).workers(2).listen(false).pollInterval(Duration.ofMinutes(10)).start();
        awaitEveryWorkerIdle(2);
        TransactionTemplate inner = new TransactionTemplate(fixture.transactions.getTransactionManager());
        inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        fixture.transactions.executeWithoutResult((outer) -> {
            fixture.outbox.publish("orders", "outer", "placed", 1);
            UUID id = inner.execute((status) -> fixture.outbox.publish("orders", "inner", "placed", 2));
            await().atMost(Duration.ofSeconds(30)).until(() -> ledger.ids().contains(id));
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.size() == 2);
    }

    @Test
    void extraWorkersJoinOnABacklogAndKeepEachKeyInOrder() {
        fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                + " SELECT gen_random_uuid(), 'orders', 'key-' || (n % 40), 'counted', '{\"n\":' || n || '}'"
                + " FROM generate_series(1, 2000) AS n");
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        // a broker slow enough that a batch is still out when the next one is claimed
        Executor slowBroker = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);
        fixture.relay((message) -> ledger.publish(message).thenRunAsync(() -> {
        }, slowBroker))
            .batch(10, 5)
            .workers(3)
            .pollInterval(Duration.ofMinutes(10))
            .afterClaim((claimed) -> mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max))
            .beforeComplete((completion) -> inFlight.decrementAndGet())
            .start();
        await().atMost(Duration.ofSeconds(120)).until(() -> fixture.count("status = 'PUBLISHED'") == 2000);

        assertThat(mostInFlight.get()).isGreaterThan(1);
        assertThat(ledger.size()).isEqualTo(2000);
        for (int key = 0; key < 40; key++) {
            List<Integer> numbers = ledger.forKey("key-" + key)
                .stream()
                .map((message) -> Integer.valueOf(message.payload().replaceAll("\\D", "")))
                .toList();
            assertThat(numbers).hasSize(50).isSorted();
        }
    }

    @Test
    void commitsDuringAClaimForEarlierCommitsWaitUntilItHasReadItsDueKeysAndAreThenClaimedTogether() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        AtomicBoolean holdNext = new AtomicBoolean();
        List<Set<String>> taken = new CopyOnWriteArrayList<>();
        fixture.relay(ledger)
            .workers(3)
            .listen(false)
            .pollInterval(Duration.ofMinutes(10))
            .aroundDueKeysRead((passOn) -> {
                reads.incrementAndGet();
                if (holdNext.getAndSet(false)) {
                    Latches.awaitOpen(release);
                }
                passOn.run();
            })
            .afterClaim((claimed) -> {
                if (!claimed.isEmpty()) {
                    taken.add(claimed.stream().map((message) -> message.message().key()).collect(Collectors.toSet()));
                }
            })
            .start();
        awaitEveryWorkerIdle(3);
        int idle = reads.get();
        holdNext.set(true);
        fixture.write("orders", "first", Map.of("n", 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> reads.get() == idle + 1);
        for (int i = 1; i <= 3; i++) {
            fixture.write("orders", "later-" + i, Map.of("n", i));
        }
        // the third worker is idle, but the commits wait for the claim that is still reading its due keys
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> reads.get() == idle + 1);
        release.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.size() == 4);
        // the held claim and the next one commit in either order; what counts is that the next took all three
        assertThat(taken).containsExactlyInAnyOrder(Set.of("first"), Set.of("later-1", "later-2", "later-3"));
    }

    /** The claim before holds its keys until it commits; the next one skips them and takes what came after. */
    @Test
    void aClaimForLaterCommitsStartsOnceTheClaimBeforeHasReadItsDueKeysWithoutWaitingForItsCommit() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean holdNext = new AtomicBoolean();
        fixture.relay(ledger)
            .workers(3)
            .listen(false)
            .pollInterval(Duration.ofMinutes(10))
            .aroundDueKeysRead((passOn) -> {
                passOn.run();
                if (holdNext.getAndSet(false)) {
                    Latches.awaitOpen(release);
                }
            })
            .start();
        awaitEveryWorkerIdle(3);
        holdNext.set(true);
        UUID first = fixture.write("orders", "first", Map.of("n", 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> !holdNext.get());
        List<UUID> later = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            later.add(fixture.write("orders", "later-" + i, Map.of("n", i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.size() == 3);
        assertThat(ledger.ids()).containsExactlyInAnyOrderElementsOf(later);
        release.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.size() == 4);
        assertThat(ledger.ids()).contains(first);
    }

    /** Every worker has looked once and now waits out the poll interval. */
    private static void awaitEveryWorkerIdle(int workers) {
        await().atMost(Duration.ofSeconds(30)).until(() -> OutboxFixture.relayWorkers().size() == workers
                && OutboxFixture.relayWorkers().stream()
                    .allMatch((worker) -> worker.getState() == Thread.State.TIMED_WAITING));
    }

    @Test
    void aCommitRightAfterANotifiedOneSkipsItsNotificationAndIsRelayedByTheBusyRelay() throws Exception {
        JdbcOutbox outbox = new JdbcOutbox(fixture.jdbc, fixture.tables, fixture.json, List.of(),
                new CommitNotifier(fixture.jdbc, fixture.tables.channel(), Duration.ofSeconds(30)));
        try (Connection listener = fixture.dataSource.getConnection()) {
            listener.setAutoCommit(true);
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN " + fixture.tables.channel());
            }
            fixture.relay(ledger).pollInterval(Duration.ofMinutes(10)).start();
            UUID first = fixture.transactions.execute((status) -> outbox.publish("orders", "a", "test.event", 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.ids().contains(first));
            // the relay is idle again, and the next commit, well within the notify interval, does not notify
            UUID second = fixture.transactions.execute((status) -> outbox.publish("orders", "b", "test.event", 2));
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.ids().contains(second));

            int notifications = 0;
            PGNotification[] received;
            while ((received = listener.unwrap(PGConnection.class).getNotifications(500)) != null
                    && received.length > 0) {
                notifications += received.length;
            }
            assertThat(notifications).isOne();
        }
    }

    @Test
    void aSettleThatMeetsALockedRowIsTriedAgainRatherThanLeftToTheLease() throws Exception {
        // the relay's own statements give up after 100 ms, as they would waiting for this row lock
        SimpleDriverDataSource impatient = new SimpleDriverDataSource(new org.postgresql.Driver(),
                fixture.schema.jdbcUrl() + "&options=-c%20statement_timeout%3D100", fixture.schema.username(),
                fixture.schema.password());
        AtomicBoolean locked = new AtomicBoolean();
        RelayStore store = new RelayStore(new JdbcTemplate(impatient),
                new TransactionTemplate(new DataSourceTransactionManager(impatient)), fixture.json, fixture.tables,
                true) {
            @Override
            public int complete(Completion completion) {
                if (locked.compareAndSet(false, true)) {
                    holdRowLock(completion.published().get(0), Duration.ofMillis(300));
                }
                return super.complete(completion);
            }
        };
        OutboxRelay relay = new OutboxRelay(store, fixture.instances(), ledger,
                new RetryPolicy(RetryPolicy.exponentialWithJitter(Duration.ofMillis(50), 2.0, 0.5,
                        Duration.ofSeconds(1)), 20, List.of()),
                new RelaySettings(10, 10, Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofMillis(200), 1,
                        Duration.ofMillis(5), Duration.ofSeconds(5), Duration.ofSeconds(1)),
                null, RelayObserver.NONE);
        UUID id = fixture.write("orders", "locked", Map.of("n", 1));
        relay.start();
        try {
            // without another attempt the message would stay leased for the minute the lease lasts
            await().atMost(Duration.ofSeconds(20)).until(() -> fixture.status(id).equals("PUBLISHED"));
            assertThat(locked).isTrue();
            assertThat(ledger.ids()).containsExactly(id);
        }
        finally {
            relay.stop();
        }
    }

    /** Locks the row from another transaction, which commits after {@code duration}. */
    private void holdRowLock(UUID id, Duration duration) {
        try {
            Connection holder = fixture.dataSource.getConnection();
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder
                .prepareStatement("SELECT 1 FROM reliant_outbox WHERE id = ? FOR UPDATE")) {
                lock.setObject(1, id);
                lock.executeQuery().close();
            }
            CompletableFuture.runAsync(() -> {
                try (holder) {
                    holder.commit();
                }
                catch (SQLException ex) {
                    throw new IllegalStateException(ex);
                }
            }, CompletableFuture.delayedExecutor(duration.toMillis(), TimeUnit.MILLISECONDS));
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void aPoisonMessageIsParkedAtOnceHoldsBackOnlyItsKeyAndIsPublishedAfterReplay() {
        ledger.failWhen((message) -> message.payload().contains("poison"),
                new NonRetryablePublishException("broker rejected it"));
        fixture.relay(ledger).start();
        UUID poison = fixture.write("orders", "bad-key", Map.of("poison", true));
        UUID after = fixture.write("orders", "bad-key", Map.of("n", 2));
        List<UUID> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(fixture.write("orders", "good-" + (i % 4), Map.of("n", i)));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.ids().containsAll(others));
        await().atMost(Duration.ofSeconds(60)).until(() -> "PARKED".equals(fixture.status(poison)));
        assertThat(fixture.jdbc.queryForObject("SELECT attempts FROM reliant_outbox WHERE id = ?", Integer.class,
                poison)).isOne();
        assertThat(fixture.parked.list(10)).singleElement().satisfies((parked) -> {
            assertThat(parked.id()).isEqualTo(poison);
            assertThat(parked.lastError()).contains("broker rejected it");
        });
        assertThat(fixture.status(after)).isEqualTo("PENDING");
        assertThat(ledger.forKey("bad-key")).isEmpty();

        ledger.recover();
        assertThat(fixture.parked.replay(poison)).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.forKey("bad-key").size() == 2);
        assertThat(ledger.forKey("bad-key")).extracting(OutboxMessage::id).containsExactly(poison, after);
        assertThat(fixture.parked.count()).isZero();
    }

    @Test
    void aParkedMessageLetsItsKeyFlowWhenConfiguredSo() {
        ledger.failWhen((message) -> message.payload().contains("poison"),
                new NonRetryablePublishException("broker rejected it"));
        fixture.relay(ledger).parkedBlocksKey(false).start();
        UUID poison = fixture.write("orders", "k", Map.of("poison", true));
        UUID after = fixture.write("orders", "k", Map.of("n", 2));
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.ids().contains(after));
        assertThat(fixture.status(poison)).isEqualTo("PARKED");
    }

    @Test
    void discardingAParkedMessageReleasesTheRestOfItsKey() {
        ledger.failWhen((message) -> message.payload().contains("poison"),
                new NonRetryablePublishException("broker rejected it"));
        fixture.relay(ledger).start();
        UUID poison = fixture.write("orders", "k", Map.of("poison", true));
        UUID after = fixture.write("orders", "k", Map.of("n", 2));
        await().atMost(Duration.ofSeconds(60)).until(() -> "PARKED".equals(fixture.status(poison)));
        assertThat(fixture.parked.discard(poison)).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.ids().contains(after));
        assertThat(ledger.ids()).doesNotContain(poison);
        assertThat(fixture.count("id = '" + poison + "'")).isZero();
    }

    @Test
    void retriesATransientFailureWithBackoffAndParksAfterTheLastAttempt() {
        ledger.failWhen((message) -> message.key().equals("flaky"), new IllegalStateException("timeout"));
        fixture.relay(ledger)
            .retry(new RetryPolicy(RetryPolicy.exponentialWithJitter(Duration.ofMillis(100), 2.0, 0.5,
                    Duration.ofSeconds(1)), 4, List.of()))
            .start();
        UUID flaky = fixture.write("orders", "flaky", Map.of("n", 1));
        UUID fine = fixture.write("orders", "fine", Map.of("n", 1));
        await().atMost(Duration.ofSeconds(60)).until(() -> "PARKED".equals(fixture.status(flaky)));
        Map<String, Object> row = fixture.jdbc
            .queryForMap("SELECT attempts, last_error FROM reliant_outbox WHERE id = ?", flaky);
        assertThat(row.get("attempts")).isEqualTo(4);
        assertThat((String) row.get("last_error")).contains("IllegalStateException: timeout");
        assertThat(ledger.ids()).containsExactly(fine);
    }

    @Test
    void stoppingWaitsForTheAcknowledgementsInFlightRecordsThemAndReleasesTheRest() {
        CountDownLatch firstSent = new CountDownLatch(1);
        Executor later = CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS);
        OutboxPublisher slow = (message) -> {
            firstSent.countDown();
            return CompletableFuture.runAsync(() -> ledger.publish(message), later);
        };
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(fixture.write("orders", "k", Map.of("n", i)));
        }
        OutboxRelay relay = fixture.relay(slow).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> firstSent.getCount() == 0);
        relay.stop();

        assertThat(relay.isRunning()).isFalse();
        assertThat(ledger.ids()).containsExactly(ids.get(0));
        assertThat(fixture.status(ids.get(0))).isEqualTo("PUBLISHED");
        assertThat(fixture.count("status = 'PENDING'")).isEqualTo(5);
        assertThat(fixture.count("claim_token IS NOT NULL OR lease_until IS NOT NULL")).isZero();

        fixture.relay(ledger).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.size() == 6);
        assertThat(ledger.forKey("k")).extracting(OutboxMessage::id).containsExactlyElementsOf(ids);
    }

    /**
     * A worker stalls inside the broker call past its lease; another relay takes the key over. When the stalled
     * worker wakes up it records nothing for the key and sends none of the key's later messages: the new holder
     * sends each of them once, in order.
     */
    @Test
    void aWorkerWhoseLeaseWasTakenOverNeitherRecordsNorSendsAgain() throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(fixture.write("orders", "k", Map.of("n", i)));
        }
        CountDownLatch staleSending = new CountDownLatch(1);
        CountDownLatch staleWakes = new CountDownLatch(1);
        CountDownLatch staleRecorded = new CountDownLatch(1);
        List<UUID> staleSent = new CopyOnWriteArrayList<>();
        fixture.relay((message) -> {
            staleSent.add(message.id());
            staleSending.countDown();
            awaitLatch(staleWakes);
            return CompletableFuture.completedFuture(null);
        })
            .lease(Duration.ofSeconds(2), Duration.ofSeconds(1))
            .pollInterval(Duration.ofMillis(100))
            .afterComplete((completion) -> staleRecorded.countDown())
            .start();
        assertThat(staleSending.await(60, TimeUnit.SECONDS)).isTrue();

        CountDownLatch takenOver = new CountDownLatch(1);
        CountDownLatch brokerAnswers = new CountDownLatch(1);
        fixture.relay((message) -> {
            takenOver.countDown();
            awaitLatch(brokerAnswers);
            return ledger.publish(message);
        }).pollInterval(Duration.ofMillis(100)).start();
        assertThat(takenOver.await(60, TimeUnit.SECONDS)).as("taken over after the lease").isTrue();

        staleWakes.countDown();
        assertThat(staleRecorded.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(staleSent).as("sent by the stalled worker").containsExactly(ids.get(0));
        assertThat(fixture.count("status = 'PUBLISHED'")).as("recorded by the stalled worker").isZero();

        brokerAnswers.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> fixture.count("status = 'PUBLISHED'") == 3);
        assertThat(ledger.all()).extracting(OutboxMessage::id).containsExactlyElementsOf(ids);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aCrashBetweenPublishAndMarkRepublishesOnlyTheBatchInFlightAfterTheLease() {
        List<UUID> written = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            written.add(fixture.write("orders", "key-" + (i % 10), Map.of("n", i)));
        }
        Set<UUID> inFlight = new HashSet<>();
        AtomicBoolean crashed = new AtomicBoolean();
        OutboxRelay crashing = fixture.relay(ledger)
            .batch(5, 3)
            .lease(Duration.ofSeconds(2), Duration.ofSeconds(1))
            .beforeComplete((completion) -> {
                inFlight.addAll(completion.published());
                crashed.set(true);
                throw new IllegalStateException("process died before recording the batch");
            })
            .build();
        try {
            crashing.relayBatch();
        }
        catch (IllegalStateException expected) {
            assertThat(crashed).isTrue();
        }
        assertThat(inFlight).hasSize(15);
        assertThat(fixture.count("status = 'PUBLISHED'")).isZero();

        fixture.relay(ledger).lease(Duration.ofSeconds(2), Duration.ofSeconds(1)).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> fixture.count("status = 'PUBLISHED'") == 100);

        assertThat(ledger.ids()).containsExactlyInAnyOrderElementsOf(written);
        Map<UUID, Integer> deliveries = new HashMap<>();
        ledger.all().forEach((message) -> deliveries.merge(message.id(), 1, Integer::sum));
        Set<UUID> duplicated = new HashSet<>();
        deliveries.forEach((id, count) -> {
            if (count > 1) {
                duplicated.add(id);
            }
        });
        assertThat(duplicated).isEqualTo(inFlight);
        assertThat(deliveries.values()).allMatch((count) -> count <= 2);
        for (int k = 0; k < 10; k++) {
            List<Integer> order = ledger.forKey("key-" + k)
                .stream()
                .map((message) -> Integer.parseInt(message.payload().replaceAll("\\D", "")))
                .toList();
            assertThat(order.stream().distinct().toList()).isSorted();
        }
    }
}
