package dev.reliant.outbox;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.outbox.cleanup.OutboxCleaner;
import dev.reliant.outbox.inbox.JdbcInbox;
import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InboxTests {

    static OutboxFixture fixture;

    static Inbox inbox;

    @BeforeAll
    static void setUp() {
        fixture = new OutboxFixture();
        fixture.jdbc.execute("CREATE TABLE applied (message_id text NOT NULL)");
        inbox = new JdbcInbox(fixture.jdbc, fixture.transactions, fixture.tables, "billing");
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    @Test
    void handlesARedeliveredMessageOnce() {
        String id = UUID.randomUUID().toString();
        assertThat(inbox.process(id, () -> apply(id))).isTrue();
        assertThat(inbox.process(id, () -> apply(id))).isFalse();
        assertThat(applied(id)).isOne();
    }

    @Test
    void eachConsumerProcessesAMessageOnce() {
        String id = UUID.randomUUID().toString();
        assertThat(inbox.process("billing", id, () -> apply(id))).isTrue();
        assertThat(inbox.process("shipping", id, () -> apply(id))).isTrue();
        assertThat(inbox.process("shipping", id, () -> apply(id))).isFalse();
        assertThat(applied(id)).isEqualTo(2);
    }

    @Test
    void aFailedHandlerLeavesNoRecordSoTheRedeliveryIsHandled() {
        String id = UUID.randomUUID().toString();
        assertThatThrownBy(() -> inbox.process(id, () -> {
            apply(id);
            throw new IllegalStateException("handler failed");
        })).hasMessage("handler failed");
        assertThat(applied(id)).isZero();
        assertThat(inbox.process(id, () -> apply(id))).isTrue();
        assertThat(applied(id)).isOne();
    }

    @Test
    void refusesToRecordInATransactionOfAnotherDataSourceSoThatAFailedHandlerIsRedelivered() {
        TestPostgres.Schema other = TestPostgres.newSchema();
        try (HikariDataSource otherDataSource = other.dataSource(2)) {
            Inbox foreign = new JdbcInbox(fixture.jdbc,
                    new TransactionTemplate(new DataSourceTransactionManager(otherDataSource)), fixture.tables,
                    "billing");
            String id = UUID.randomUUID().toString();
            assertThatThrownBy(() -> foreign.process(id, () -> {
                throw new IllegalStateException("handler failed");
            })).isInstanceOf(OutboxTransactionRequiredException.class).hasMessageContaining("DataSource");
            assertThat(inbox.process(id, () -> apply(id))).as("the redelivery is handled").isTrue();
            assertThat(applied(id)).isOne();
            other.drop(otherDataSource);
        }
    }

    @Test
    void joinsTheListenersTransaction() {
        String id = UUID.randomUUID().toString();
        assertThatThrownBy(() -> fixture.transactions.executeWithoutResult((status) -> {
            inbox.process(id, () -> apply(id));
            throw new IllegalStateException("listener failed after the handler");
        })).hasMessageContaining("listener failed");
        assertThat(applied(id)).isZero();
        assertThat(inbox.process(id, () -> apply(id))).isTrue();
    }

    @Test
    void concurrentDeliveriesOfOneMessageAreHandledOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        AtomicInteger handled = new AtomicInteger();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> inbox.process(id, () -> {
            handled.incrementAndGet();
            firstInside.countDown();
            await(release);
        }));
        assertThat(firstInside.await(60, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> second = CompletableFuture
            .supplyAsync(() -> inbox.process(id, handled::incrementAndGet));
        release.countDown();
        assertThat(List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS)))
            .containsExactlyInAnyOrder(true, false);
        assertThat(handled.get()).isOne();
    }

    @Test
    void forgetsProcessedIdsAfterTheRetention() {
        String id = UUID.randomUUID().toString();
        inbox.process(id, () -> apply(id));
        fixture.jdbc.update("UPDATE reliant_inbox SET processed_at = now() - interval '8 days' WHERE message_id = ?",
                id);
        new OutboxCleaner(fixture.jdbc, fixture.tables, Duration.ofDays(1), Duration.ofDays(7), Duration.ofHours(1),
                100).clean();
        assertThat(fixture.jdbc.queryForObject("SELECT count(*) FROM reliant_inbox WHERE message_id = ?", Long.class,
                id)).isZero();
    }

    private static void apply(String id) {
        fixture.jdbc.update("INSERT INTO applied VALUES (?)", id);
    }

    private static long applied(String id) {
        return fixture.jdbc.queryForObject("SELECT count(*) FROM applied WHERE message_id = ?", Long.class, id);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
