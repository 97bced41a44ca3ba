package dev.reliant.outbox;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliant.outbox.cleanup.OutboxCleaner;
import dev.reliant.outbox.support.Ledger;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CleanupTests {

    @Test
    void cleanupRacingThePublishersDeletesOnlyPublishedMessages() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture()) {
            Ledger ledger = new Ledger();
            ledger.failWhen((message) -> message.payload().contains("poison"),
                    new NonRetryablePublishException("rejected"));
            fixture.relay(ledger).batch(20, 5).start();
            fixture.relay(ledger).batch(20, 5).start();
            OutboxCleaner cleaner = new OutboxCleaner(fixture.jdbc, fixture.tables, Duration.ZERO,
                    Duration.ofDays(1), Duration.ofHours(1), 50);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong deleted = new AtomicLong();
            CompletableFuture<Void> cleaning = CompletableFuture.runAsync(() -> {
                while (writing.get()) {
                    deleted.addAndGet(cleaner.clean());
                }
            });
            UUID poison = fixture.write("orders", "poisoned", Map.of("poison", true));
            UUID blocked = fixture.write("orders", "poisoned", Map.of("n", 0));
            Set<UUID> written = new HashSet<>();
            for (int i = 0; i < 3000; i++) {
                written.add(fixture.write("orders", "key-" + (i % 30), Map.of("n", i)));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> ledger.ids().containsAll(written));
            writing.set(false);
            cleaning.get(60, TimeUnit.SECONDS);
            deleted.addAndGet(cleaner.clean());

            assertThat(ledger.ids()).isEqualTo(written);
            assertThat(deleted.get()).isEqualTo(3000);
            assertThat(fixture.count("status = 'PUBLISHED'")).isZero();
            assertThat(fixture.status(poison)).isEqualTo("PARKED");
            assertThat(fixture.status(blocked)).isEqualTo("PENDING");
        }
    }

    @Test
    void keepsPublishedMessagesForTheRetentionWindow() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            Ledger ledger = new Ledger();
            fixture.relay(ledger).start();
            UUID id = fixture.write("orders", "k", Map.of("n", 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> "PUBLISHED".equals(fixture.status(id)));
            OutboxCleaner keepingAnHour = new OutboxCleaner(fixture.jdbc, fixture.tables, Duration.ofHours(1),
                    Duration.ofDays(1), Duration.ofHours(1), 50);
            assertThat(keepingAnHour.clean()).isZero();
            fixture.jdbc.update("UPDATE reliant_outbox SET published_at = now() - interval '2 hours' WHERE id = ?", id);
            assertThat(keepingAnHour.clean()).isOne();
        }
    }
}
