package dev.reliant.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.reliant.outbox.jdbc.JdbcOutbox;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.support.Ledger;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A writer leases the keys it starts to its own instance's relay and hands their messages over after the commit;
 * the relay sends them without a claim. What the hand-over must never do: send a message that was not committed,
 * overtake a key's earlier messages, or leave a key leased to nobody.
 */
class HandOffTests {

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

    /**
     * The relay neither listens nor polls within the test: only a hand-over, or a claim woken by a commit of this
     * instance, can deliver. Every key is new, so every message is handed over and none is claimed.
     */
    @Test
    void messagesOfNewKeysAreSentWithoutAClaim() {
        AtomicInteger claimedMessages = new AtomicInteger();
        OutboxRelay relay = fixture.relay(ledger)
            .workers(3)
            .listen(false)
            .pollInterval(Duration.ofMinutes(10))
            .afterClaim((claimed) -> claimedMessages.addAndGet(claimed.size()))
            .start();
        JdbcOutbox outbox = writerFor(relay);
        List<UUID> written = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String key = "order-" + i;
            int n = i;
            written.add(fixture.transactions.execute((status) -> outbox.publish("orders", key, "placed", n)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count("status = 'PUBLISHED'") == 50);
        assertThat(ledger.ids()).containsExactlyInAnyOrderElementsOf(written);
        assertThat(ledger.size()).isEqualTo(50);
        assertThat(claimedMessages).as("messages that went through a claim").hasValue(0);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> fixture.jdbc.queryForObject("SELECT count(*) FROM reliant_outbox_keys", Long.class) == 0);
    }

    /**
     * The first transaction's two messages of a key are handed over, and the broker holds back the first one's
     * acknowledgement. A later transaction of the same key finds the key leased: its message is left to a claim,
     * which can take the key only once the hand-over is settled, so it arrives last.
     */
    @Test
    void theNextMessagesOfAKeyWithMessagesInFlightWaitForThemWhateverTheirTransaction() {
        CompletableFuture<Void> firstAnswer = new CompletableFuture<>();
        List<UUID> first = new ArrayList<>();
        OutboxRelay relay = fixture.relay((message) -> message.id().equals(first.get(0))
                ? firstAnswer.thenCompose((ignored) -> ledger.publish(message)) : ledger.publish(message))
            .workers(3)
            .start();
        JdbcOutbox outbox = writerFor(relay);
        fixture.transactions.executeWithoutResult((status) -> {
            first.add(outbox.publish("orders", "k", "placed", 1));
            first.add(outbox.publish("orders", "k", "paid", 2));
        });
        UUID later = fixture.transactions.execute((status) -> outbox.publish("orders", "k", "shipped", 3));
        assertThat(fixture.jdbc.queryForObject("SELECT claim_token IS NULL FROM reliant_outbox WHERE id = ?",
                Boolean.class, later)).as("the later transaction's message is not leased").isTrue();
        assertThat(fixture.count("claim_token IS NOT NULL")).as("the first transaction's messages").isEqualTo(2);
        assertThat(ledger.size()).isZero();

        firstAnswer.complete(null);
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count("status = 'PUBLISHED'") == 3);
        assertThat(ledger.forKey("k")).extracting(OutboxMessage::id)
            .containsExactly(first.get(0), first.get(1), later);
    }

    /**
     * A nested transaction writes two messages, one of them to a key the outer transaction leased, and rolls back
     * to its savepoint. Only what the outer transaction committed is sent, and the key the nested one started is
     * not left behind.
     */
    @Test
    void messagesRolledBackToASavepointAreNotHandedOver() {
        OutboxRelay relay = fixture.relay(ledger).workers(3).start();
        JdbcOutbox outbox = writerFor(relay);
        TransactionTemplate nested = propagating(TransactionDefinition.PROPAGATION_NESTED);
        List<UUID> committed = new ArrayList<>();
        List<UUID> rolledBack = new ArrayList<>();
        fixture.transactions.executeWithoutResult((outer) -> {
            committed.add(outbox.publish("orders", "a", "placed", 1));
            nested.executeWithoutResult((inner) -> {
                rolledBack.add(outbox.publish("orders", "b", "placed", 2));
                rolledBack.add(outbox.publish("orders", "a", "paid", 3));
                inner.setRollbackOnly();
            });
            committed.add(outbox.publish("orders", "c", "placed", 4));
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count("status = 'PUBLISHED'") == 2);
        assertThat(fixture.count("true")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> fixture.jdbc.queryForObject("SELECT count(*) FROM reliant_outbox_keys", Long.class) == 0);
        assertThat(ledger.ids()).containsExactlyInAnyOrderElementsOf(committed)
            .doesNotContainAnyElementsOf(rolledBack);
    }

    /**
     * A transaction of its own inside the writer's (REQUIRES_NEW) rolls back while the outer one commits, and the
     * other way round: each hands over what it committed, and only that.
     */
    @Test
    void aTransactionStartedInsideTheWritersHandsOverOnlyWhatItCommitsItself() {
        OutboxRelay relay = minuteLeaseRelay();
        JdbcOutbox outbox = writerFor(relay);
        TransactionTemplate inner = propagating(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        List<UUID> committed = new ArrayList<>();
        List<UUID> rolledBack = new ArrayList<>();
        fixture.transactions.executeWithoutResult((outer) -> {
            committed.add(outbox.publish("orders", "a", "placed", 1));
            inner.executeWithoutResult((status) -> {
                rolledBack.add(outbox.publish("orders", "b", "placed", 2));
                status.setRollbackOnly();
            });
        });
        fixture.transactions.executeWithoutResult((outer) -> {
            rolledBack.add(outbox.publish("orders", "c", "placed", 3));
            inner.executeWithoutResult((status) -> committed.add(outbox.publish("orders", "d", "placed", 4)));
            outer.setRollbackOnly();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count("status = 'PUBLISHED'") == 2);
        assertThat(fixture.count("true")).isEqualTo(2);
        assertThat(ledger.ids()).containsExactlyInAnyOrderElementsOf(committed)
            .doesNotContainAnyElementsOf(rolledBack);
    }

    /**
     * A message refused as a duplicate still leased the key it started; the transaction goes on and commits, and
     * the key is released with it rather than held for the lease's minute.
     */
    @Test
    void aKeyStartedByARefusedDuplicateIsReleasedAtTheCommit() {
        OutboxRelay relay = minuteLeaseRelay();
        JdbcOutbox outbox = writerFor(relay);
        OutboxEvent first = OutboxEvent.of("orders", "first", "placed", 1).withDedupeKey("charge-1");
        OutboxEvent again = OutboxEvent.of("orders", "second", "placed", 1).withDedupeKey("charge-1");
        fixture.transactions.executeWithoutResult((status) -> outbox.publish(first));
        fixture.transactions.executeWithoutResult((status) -> assertThatExceptionOfType(
                DuplicateOutboxMessageException.class).isThrownBy(() -> outbox.publish(again)));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> fixture.jdbc.queryForObject("SELECT count(*) FROM reliant_outbox_keys", Long.class) == 0);
        assertThat(ledger.size()).isOne();
    }

    /**
     * The relay stops right after a burst of hand-overs, while a slow database still has outcomes to record:
     * whatever it sent is recorded before it has stopped, and whatever it did not send is released for a claim, so
     * that no key stays leased to an instance that is gone.
     */
    @Test
    void stoppingRecordsEveryHandOverItSentAndReleasesTheRest() {
        OutboxRelay relay = fixture.relay(ledger)
            .workers(3)
            .beforeComplete((completion) -> LockSupport.parkNanos(Duration.ofMillis(100).toNanos()))
            .start();
        JdbcOutbox outbox = writerFor(relay);
        for (int i = 0; i < 200; i++) {
            String key = "order-" + i;
            fixture.transactions.executeWithoutResult((status) -> outbox.publish("orders", key, "placed", 1));
        }
        relay.stop();
        assertThat(fixture.count("claim_token IS NOT NULL")).as("messages still leased").isZero();
        assertThat(fixture.count("status = 'PUBLISHED'")).isEqualTo(ledger.size());
        assertThat(fixture.jdbc.queryForObject("SELECT count(*) FROM reliant_outbox_keys WHERE claim_token IS NOT NULL",
                Long.class)).as("keys still leased").isZero();
    }

    /**
     * The writer leased its key while the relay ran; the relay stopped before the commit. The commit releases the
     * key at once, so that another relay claims the message without waiting for the lease.
     */
    @Test
    void aHandOverToARelayThatStoppedMeanwhileIsReleasedForAClaim() {
        OutboxRelay stopped = fixture.relay(ledger).workers(2).start();
        JdbcOutbox outbox = writerFor(stopped);
        UUID id = fixture.transactions.execute((status) -> {
            UUID written = outbox.publish("orders", "k", "placed", 1);
            stopped.stop();
            return written;
        });
        assertThat(fixture.count("claim_token IS NOT NULL")).isZero();
        assertThat(fixture.jdbc.queryForObject("SELECT available_at <= now() FROM reliant_outbox_keys",
                Boolean.class)).isTrue();

        fixture.relay(ledger).lease(Duration.ofMinutes(1), Duration.ofSeconds(20)).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count("status = 'PUBLISHED'") == 1);
        assertThat(ledger.ids()).containsExactly(id);
    }

    /** A relay of three workers whose leases last a minute, so that a key left leased shows within a test. */
    private OutboxRelay minuteLeaseRelay() {
        return fixture.relay(ledger).workers(3).lease(Duration.ofMinutes(1), Duration.ofSeconds(20)).start();
    }

    /** A writer that hands over to {@code relay}, once the relay can take hand-overs. */
    private JdbcOutbox writerFor(OutboxRelay relay) {
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.holder() != null);
        return fixture.handingOffTo(relay);
    }

    private TransactionTemplate propagating(int propagation) {
        TransactionTemplate template = new TransactionTemplate(fixture.transactions.getTransactionManager());
        template.setPropagationBehavior(propagation);
        return template;
    }
}
