package dev.reliant.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import dev.reliant.outbox.support.Ledger;
import dev.reliant.outbox.support.OutboxFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.RowCallbackHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three relays of two workers each race on one table while 16 writers commit 1,000 keys x 50 messages with random commit delays,
 * several writers often on the same key at once. Each writer draws the key's next number from a counter row
 * after writing its message, in the same transaction, so the numbers of a key follow commit order; the ledger
 * must show every message exactly once and each key's numbers in order. The same relays, idle long enough for
 * the driver to prepare their claims on the server, then drain a backlog that arrives all at once.
 */
class ConcurrentRelaysTests {

    static final int KEYS = 1000;

    static final int PER_KEY = 50;

    static final int WRITERS = 16;

    OutboxFixture fixture;

    ExecutorService executor;

    @BeforeEach
    void setUp() {
        fixture = new OutboxFixture(WRITERS + 12);
        executor = Executors.newFixedThreadPool(WRITERS);
        fixture.jdbc.execute("CREATE TABLE key_counter (message_key text PRIMARY KEY, n integer NOT NULL)");
        fixture.jdbc.execute("CREATE TABLE expected (id uuid PRIMARY KEY, message_key text NOT NULL, n integer NOT NULL)");
        fixture.jdbc.update("INSERT INTO key_counter SELECT 'key-' || k, 0 FROM generate_series(1, ?) k", KEYS);
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        fixture.close();
    }

    @Test
    void threeRelaysDeliverEveryMessageOnceAndInCommitOrderPerKey() throws Exception {
        Ledger ledger = new Ledger();
        for (int i = 0; i < 3; i++) {
            fixture.relay(ledger)
                .batch(50, 10)
                .workers(2)
                .lease(Duration.ofSeconds(60), Duration.ofSeconds(10))
                .start();
        }
        List<String> slots = new ArrayList<>(KEYS * PER_KEY);
        for (int k = 1; k <= KEYS; k++) {
            for (int i = 0; i < PER_KEY; i++) {
                slots.add("key-" + k);
            }
        }
        Collections.shuffle(slots, new Random(42));
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            running.add(executor.submit(() -> {
                int slot;
                while ((slot = next.getAndIncrement()) < slots.size()) {
                    String key = slots.get(slot);
                    fixture.transactions.executeWithoutResult((status) -> {
                        UUID id = fixture.outbox.publish("orders", key, "counted", Map.of("key", key));
                        Integer n = fixture.jdbc.queryForObject(
                                "UPDATE key_counter SET n = n + 1 WHERE message_key = ? RETURNING n", Integer.class,
                                key);
                        fixture.jdbc.update("INSERT INTO expected VALUES (?, ?, ?)", id, key, n);
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        if (random.nextInt(4) == 0) {
                            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(2000)));
                        }
                    });
                }
            }));
        }
        for (Future<?> writer : running) {
            writer.get(300, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(240)).until(() -> ledger.size() >= KEYS * PER_KEY);

        Map<UUID, Integer> numbers = new HashMap<>();
        fixture.jdbc.query("SELECT id, n FROM expected",
                (RowCallbackHandler) (rs) -> numbers.put(rs.getObject(1, UUID.class), rs.getInt(2)));
        assertThat(numbers).hasSize(KEYS * PER_KEY);
        assertThat(ledger.size()).as("deliveries (duplicates would exceed the count)").isEqualTo(KEYS * PER_KEY);
        assertThat(ledger.ids()).as("distinct deliveries").hasSize(KEYS * PER_KEY);
        assertThat(ledger.ids()).isEqualTo(numbers.keySet());
        List<Integer> inOrder = IntStream.rangeClosed(1, PER_KEY).boxed().toList();
        for (int k = 1; k <= KEYS; k++) {
            List<Integer> delivered = ledger.forKey("key-" + k).stream().map((m) -> numbers.get(m.id())).toList();
            assertThat(delivered).as("key-" + k).isEqualTo(inOrder);
        }
        assertThat(fixture.count("status <> 'PUBLISHED'")).isZero();
    }

    /**
     * Idle relays claim from an empty table until their claims are prepared on the server (where PostgreSQL would
     * cache a generic plan costed on the empty table); then 20,000 messages arrive at once. Every claim stays
     * fast, no claim outlives its lease, and every message is delivered exactly once, in order per key.
     */
    @Test
    void idleRelaysDrainASuddenBacklogOnceEachWithFastClaims() {
        Ledger ledger = new Ledger();
        AtomicInteger claims = new AtomicInteger();
        Queue<Duration> claimTimes = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 3; i++) {
            fixture.relay(ledger)
                .batch(50, 10)
                .workers(2)
                .lease(Duration.ofSeconds(60), Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .afterClaim((claimed) -> claims.incrementAndGet())
                .claimTook(claimTimes::add)
                .start();
        }
        // the driver prepares a statement on the server at its fifth execution on a connection
        await().atMost(Duration.ofSeconds(60)).until(() -> claims.get() >= 60);
        claimTimes.clear();
        int messages = 20_000;
        fixture.jdbc.update("INSERT INTO reliant_outbox (id, destination, message_key, type, payload)"
                + " SELECT gen_random_uuid(), 'orders', 'key-' || (n % 1000), 'counted', n::text"
                + " FROM generate_series(1, ?) AS n", messages);
        await().atMost(Duration.ofSeconds(180)).until(() -> fixture.count("status = 'PUBLISHED'") == messages);

        assertThat(ledger.size()).as("deliveries (duplicates would exceed the count)").isEqualTo(messages);
        assertThat(ledger.ids()).hasSize(messages);
        for (int k = 0; k < 1000; k++) {
            List<Integer> numbers = ledger.forKey("key-" + k)
                .stream()
                .map((message) -> Integer.valueOf(message.payload()))
                .toList();
            assertThat(numbers).as("key-" + k).hasSize(messages / 1000).isSorted();
        }
        // a generic plan took most of a second per claim of such a backlog, and minutes under contention
        List<Duration> sorted = claimTimes.stream().sorted().toList();
        assertThat(sorted.get(sorted.size() / 2)).as("median claim").isLessThan(Duration.ofMillis(200));
        assertThat(sorted.get(sorted.size() - 1)).as("slowest claim").isLessThan(Duration.ofSeconds(5));
    }
}
