package dev.reliant.idempotency.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link IdempotencyStore} keeps, run against each store on a real server.
 */
public abstract class IdempotencyStoreContractTests {

    private static final String FINGERPRINT = "a".repeat(64);

    private static final Duration LEASE = Duration.ofSeconds(30);

    private static final Duration RETENTION = Duration.ofHours(1);

    /** How far the store's clock (the server's, for Redis and PostgreSQL) may be from this JVM's. */
    private static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

    protected abstract IdempotencyStore store();

    @Test
    void firstClaimWinsAndLaterClaimsSeeTheRecord() {
        String key = key();
        String owner = owner();
        assertThat(claim(key, owner, LEASE).join()).isEqualTo(ClaimResult.claimed());
        ClaimResult second = store().claim(key, owner(), "b".repeat(64), LEASE, RETENTION).join();
        assertThat(second).isInstanceOf(ClaimResult.Existing.class);
        IdempotencyRecord record = ((ClaimResult.Existing) second).record();
        assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(record.owner()).isEqualTo(owner);
        assertThat(record.fingerprint()).isEqualTo(FINGERPRINT);
    }

    @Test
    void completedResponseIsReturnedByteForByte() {
        String key = key();
        String owner = owner();
        claim(key, owner, LEASE).join();
        byte[] body = new byte[70_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        StoredResponse response = new StoredResponse(201,
                List.of(Map.entry("Location", "/orders/1"), Map.entry("Link", "<a>"), Map.entry("Link", "<b>")), body);
        assertThat(store().complete(key, owner, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isTrue();
        IdempotencyRecord record = ((ClaimResult.Existing) claim(key, owner(), LEASE).join())
            .record();
        assertThat(record.state()).isEqualTo(RecordState.COMPLETED);
        assertThat(record.response()).isEqualTo(response);
        assertThat(store().find(key).join()).contains(record);
    }

    @Test
    void onlyTheOwnerCompletesRenewsOrReleases() {
        String key = key();
        String owner = owner();
        String intruder = owner();
        claim(key, owner, LEASE).join();
        StoredResponse response = new StoredResponse(200, List.of(), new byte[] { 1 });
        assertThat(store().complete(key, intruder, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isFalse();
        assertThat(store().renew(key, intruder, LEASE).join()).isFalse();
        assertThat(store().release(key, intruder).join()).isFalse();
        assertThat(store().renew(key, owner, LEASE).join()).isTrue();
        assertThat(store().complete(key, owner, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isTrue();
        // Finished records are no longer in progress: even their owner cannot release or complete them again.
        assertThat(store().release(key, owner).join()).isFalse();
        assertThat(store().complete(key, owner, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isFalse();
    }

    @Test
    void releasedKeyCanBeClaimedAgain() {
        String key = key();
        String owner = owner();
        claim(key, owner, LEASE).join();
        assertThat(store().release(key, owner).join()).isTrue();
        assertThat(store().find(key).join()).isEmpty();
        assertThat(claim(key, owner(), LEASE).join()).isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void lapsedClaimIsTakenOverAndFencesTheOldOwner() {
        String key = key();
        String crashed = owner();
        claim(key, crashed, Duration.ofSeconds(1)).join();
        assertThat(claim(key, owner(), LEASE).join()).as("claim within the lease")
            .isInstanceOf(ClaimResult.Existing.class);
        String next = owner();
        AtomicReference<ClaimResult> taken = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            taken.set(claim(key, next, LEASE).join());
            return taken.get() instanceof ClaimResult.Claimed;
        });
        assertThat(taken.get()).isEqualTo(ClaimResult.takenOver());
        assertThat(store().find(key).join()).hasValueSatisfying(record -> {
            assertThat(record.owner()).isEqualTo(next);
            assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS);
        });
        StoredResponse response = new StoredResponse(200, List.of(), new byte[] { 7 });
        assertThat(store().complete(key, crashed, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isFalse();
        assertThat(store().renew(key, crashed, LEASE).join()).isFalse();
        assertThat(store().release(key, crashed).join()).isFalse();
        assertThat(store().find(key).join().orElseThrow().owner()).isEqualTo(next);
        assertThat(store().complete(key, next, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isTrue();
    }

    @Test
    void ownerKeepsALapsedClaimThatNobodyTookOver() {
        String renewed = key();
        String completed = key();
        String released = key();
        String owner = owner();
        Duration shortLease = Duration.ofMillis(200);
        for (String key : List.of(renewed, completed, released)) {
            claim(key, owner, shortLease).join();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Stream.of(renewed, completed, released)
            .allMatch(key -> store().find(key).join().orElseThrow().expiresAt().isBefore(Instant.now())));

        assertThat(store().renew(renewed, owner, LEASE).join()).isTrue();
        assertThat(claim(renewed, owner(), LEASE).join()).as("claim after the renewal")
            .isInstanceOf(ClaimResult.Existing.class);
        StoredResponse response = new StoredResponse(201, List.of(), new byte[] { 3 });
        assertThat(store().complete(completed, owner, FINGERPRINT, RecordState.COMPLETED, response, RETENTION).join())
            .isTrue();
        assertThat(store().find(completed).join().orElseThrow().response()).isEqualTo(response);
        assertThat(store().release(released, owner).join()).isTrue();
        assertThat(claim(released, owner(), LEASE).join()).isEqualTo(ClaimResult.claimed());
    }

    @Test
    void renewMovesTheLeaseEndThatFindReports() {
        String key = key();
        String owner = owner();
        Instant before = Instant.now();
        claim(key, owner, Duration.ofSeconds(10)).join();
        Instant firstEnd = store().find(key).join().orElseThrow().expiresAt();
        assertThat(firstEnd).isBetween(before.plusSeconds(10).minus(CLOCK_SLACK),
                Instant.now().plusSeconds(10).plus(CLOCK_SLACK));
        assertThat(store().renew(key, owner, Duration.ofMinutes(10)).join()).isTrue();
        Instant renewedEnd = store().find(key).join().orElseThrow().expiresAt();
        assertThat(renewedEnd).isAfter(firstEnd.plus(Duration.ofMinutes(9)));
    }

    @Test
    void lapsedClaimStaysUntilItsRetentionEnds() {
        String key = key();
        String owner = owner();
        store().claim(key, owner, FINGERPRINT, Duration.ofMillis(200), Duration.ofSeconds(3)).join();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> store().find(key).join().orElseThrow().expiresAt().isBefore(Instant.now()));
        assertThat(store().find(key).join()).as("lapsed, within its retention").hasValueSatisfying(record -> {
            assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS);
            assertThat(record.owner()).isEqualTo(owner);
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> store().find(key).join().isEmpty());
        assertThat(store().renew(key, owner, LEASE).join()).as("renew after the retention").isFalse();
        assertThat(claim(key, owner(), LEASE).join()).as("claim after the retention")
            .isEqualTo(ClaimResult.claimed());
    }

    @Test
    void renewedLeaseOutlivesItsFirstTerm() {
        String key = key();
        String owner = owner();
        claim(key, owner, Duration.ofMillis(800)).join();
        // Renewing every 200 ms for 2 s, well past the 800 ms lease, keeps the key held throughout.
        await().during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> store().renew(key, owner, Duration.ofMillis(800)).join()
                    && claim(key, owner(), LEASE).join() instanceof ClaimResult.Existing);
    }

    @Test
    void notStoredRecordKeepsItsStatus() {
        String key = key();
        String owner = owner();
        claim(key, owner, LEASE).join();
        store().complete(key, owner, FINGERPRINT, RecordState.NOT_STORED,
                new StoredResponse(200, List.of(), new byte[0]), RETENTION).join();
        IdempotencyRecord record = store().find(key).join().orElseThrow();
        assertThat(record.state()).isEqualTo(RecordState.NOT_STORED);
        assertThat(record.response().status()).isEqualTo(200);
    }

    @Test
    void unsettledRecordKeepsItsStatusAndBody() {
        String key = key();
        String owner = owner();
        claim(key, owner, LEASE).join();
        StoredResponse response = new StoredResponse(502, List.of(Map.entry("Content-Type", "application/json")),
                "{\"compensation\":\"stuck\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(store().complete(key, owner, FINGERPRINT, RecordState.UNSETTLED, response, RETENTION).join())
            .isTrue();
        IdempotencyRecord record = store().find(key).join().orElseThrow();
        assertThat(record.state()).isEqualTo(RecordState.UNSETTLED);
        assertThat(record.response()).isEqualTo(response);
        assertThat(claim(key, owner(), LEASE).join()).isEqualTo(ClaimResult.existing(record));
        assertThat(store().release(key, owner).join()).as("release of a finished record").isFalse();
    }

    @Test
    void expiredRecordsAreGone() {
        String key = key();
        String owner = owner();
        claim(key, owner, LEASE).join();
        store().complete(key, owner, FINGERPRINT, RecordState.COMPLETED, new StoredResponse(200, List.of(),
                new byte[0]), Duration.ofMillis(300)).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> store().find(key).join().isEmpty());
        assertThat(claim(key, owner(), LEASE).join()).isEqualTo(ClaimResult.claimed());
    }

    @Test
    void evictDeletesAFinishedRecord() {
        for (RecordState state : List.of(RecordState.COMPLETED, RecordState.NOT_STORED, RecordState.UNSETTLED)) {
            String key = key();
            String owner = owner();
            claim(key, owner, LEASE).join();
            store().complete(key, owner, FINGERPRINT, state, new StoredResponse(200, List.of(), new byte[] { 1 }),
                    RETENTION).join();
            assertThat(store().evict(key, false).join()).as(state.name()).isEqualTo(Eviction.EVICTED);
            assertThat(store().find(key).join()).as(state.name()).isEmpty();
            assertThat(store().evict(key, false).join()).as(state.name()).isEqualTo(Eviction.ABSENT);
            assertThat(claim(key, owner(), LEASE).join()).as(state.name()).isEqualTo(ClaimResult.claimed());
        }
    }

    @Test
    void evictKeepsARecordInProgressUnlessToldOtherwise() {
        String key = key();
        String owner = owner();
        claim(key, owner, LEASE).join();
        assertThat(store().evict(key, false).join()).isEqualTo(Eviction.IN_PROGRESS);
        assertThat(store().find(key).join()).hasValueSatisfying(record -> {
            assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS);
            assertThat(record.owner()).isEqualTo(owner);
        });
        assertThat(store().evict(key, true).join()).isEqualTo(Eviction.EVICTED);
        assertThat(store().find(key).join()).isEmpty();
        assertThat(store().evict(key, true).join()).isEqualTo(Eviction.ABSENT);
    }

    @Test
    void evictKeepsARecordInProgressWhoseLeaseLapsed() {
        String key = key();
        String owner = owner();
        claim(key, owner, Duration.ofMillis(200)).join();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> store().find(key).join().orElseThrow().expiresAt().isBefore(Instant.now()));
        assertThat(store().evict(key, false).join()).isEqualTo(Eviction.IN_PROGRESS);
        assertThat(store().renew(key, owner, LEASE).join()).as("its owner still holds it").isTrue();
        assertThat(store().evict(key, true).join()).isEqualTo(Eviction.EVICTED);
        assertThat(store().renew(key, owner, LEASE).join()).as("renew after the eviction").isFalse();
    }

    @Test
    void exactlyOneOfManyConcurrentClaimsWins() throws Exception {
        String key = key();
        int threads = 32;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<ClaimResult>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<ClaimResult> claim = () -> {
                    start.await();
                    return claim(key, owner(), LEASE).join();
                };
                results.add(pool.submit(claim));
            }
            start.countDown();
            int winners = 0;
            for (Future<ClaimResult> result : results) {
                if (result.get() instanceof ClaimResult.Claimed) {
                    winners++;
                }
            }
            assertThat(winners).isEqualTo(1);
        }
        finally {
            pool.shutdownNow();
        }
    }

    private CompletableFuture<ClaimResult> claim(String key, String owner, Duration lease) {
        return store().claim(key, owner, FINGERPRINT, lease, RETENTION);
    }

    protected static String key() {
        return "user%3Acontract:" + UUID.randomUUID();
    }

    protected static String owner() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
