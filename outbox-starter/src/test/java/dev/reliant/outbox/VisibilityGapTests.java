package dev.reliant.outbox;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.reliant.outbox.support.Ledger;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Transaction A writes key K and stays open; transaction B writes K after it. Whatever B does, the relay must
 * not publish B before A, while other keys keep flowing; if A rolls back, B goes out.
 */
class VisibilityGapTests {

    OutboxFixture fixture;

    Ledger ledger;

    ExecutorService writers;

    @BeforeEach
    void setUp() {
        fixture = new OutboxFixture();
        ledger = new Ledger();
        writers = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void tearDown() {
        writers.shutdownNow();
        fixture.close();
    }

    @ParameterizedTest(name = "A commits: {0}")
    @ValueSource(booleans = { true, false })
    void aLaterWriteOfTheSameKeyNeverOvertakesAnOpenEarlierOne(boolean aCommits) throws Exception {
        fixture.relay(ledger).start();
        String key = "K-" + UUID.randomUUID();
        CountDownLatch aWrote = new CountDownLatch(1);
        CountDownLatch aMayFinish = new CountDownLatch(1);
        CompletableFuture<UUID> a = CompletableFuture.supplyAsync(() -> fixture.transactions.execute((status) -> {
            UUID id = fixture.outbox.publish("orders", key, "A", Map.of("tx", "A"));
            aWrote.countDown();
            awaitLatch(aMayFinish);
            if (!aCommits) {
                status.setRollbackOnly();
            }
            return id;
        }), writers);
        assertThat(aWrote.await(60, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<UUID> b = CompletableFuture.supplyAsync(
                () -> fixture.transactions.execute((status) -> fixture.outbox.publish("orders", key, "B",
                        Map.of("tx", "B"))),
                writers);

        // other keys are not held up by the open transaction
        UUID other = fixture.write("orders", "other-" + UUID.randomUUID(), Map.of("tx", "C"));
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.ids().contains(other));
        // B waits for A: its transaction cannot commit, and nothing of K is published
        await().atMost(Duration.ofSeconds(60)).until(() -> waitingOnAdvisoryLock() >= 1);
        assertThat(b).isNotDone();
        assertThat(ledger.forKey(key)).isEmpty();

        aMayFinish.countDown();
        UUID aId = a.get(60, TimeUnit.SECONDS);
        UUID bId = b.get(60, TimeUnit.SECONDS);
        if (aCommits) {
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.forKey(key).size() == 2);
            assertThat(ledger.forKey(key)).extracting(OutboxMessage::id).containsExactly(aId, bId);
        }
        else {
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.forKey(key).size() == 1);
            assertThat(ledger.forKey(key)).extracting(OutboxMessage::id).containsExactly(bId);
            assertThat(fixture.count("id = '" + aId + "'")).isZero();
        }
    }

    private long waitingOnAdvisoryLock() {
        return fixture.jdbc.queryForObject(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                        + "(SELECT oid FROM pg_database WHERE datname = current_database())",
                Long.class);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(120, TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
