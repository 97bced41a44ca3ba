package dev.reliant.lock.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The contract every {@link LockStore} keeps, run against each store on a real server. */
public abstract class LockStoreContractTests {

    private static final Duration LEASE = Duration.ofSeconds(30);

    protected abstract LockStore store();

    @Test
    void everyAcquisitionGetsAHigherToken() {
        String name = name();
        long previous = 0;
        for (int i = 0; i < 5; i++) {
            String holder = holder();
            LockGrant grant = store().tryAcquire(name, holder, LEASE, 0).orElseThrow();
            assertThat(grant.token()).isGreaterThan(previous);
            previous = grant.token();
            assertThat(store().release(name, holder, grant.token())).isPresent();
        }
    }

    @Test
    void aHeldLockIsNotGrantedToAnother() {
        String name = name();
        assertThat(store().tryAcquire(name, holder(), LEASE, 0)).isPresent();
        assertThat(store().tryAcquire(name, holder(), LEASE, 0)).isEmpty();
    }

    @Test
    void anExpiredLockGoesToTheNextHolderWithAHigherToken() {
        String name = name();
        String first = holder();
        LockGrant lapsed = store().tryAcquire(name, first, Duration.ofMillis(300), 0).orElseThrow();
        String second = holder();
        LockGrant next = await().until(() -> store().tryAcquire(name, second, LEASE, 0), Optional::isPresent)
            .orElseThrow();
        assertThat(next.token()).isGreaterThan(lapsed.token());
        assertThat(next.acquiredAt()).isAfterOrEqualTo(lapsed.expiresAt());
        assertThat(store().renew(name, first, lapsed.token(), LEASE)).as("lapsed holder renews").isEmpty();
        assertThat(store().release(name, first, lapsed.token())).as("lapsed holder releases").isEmpty();
        assertThat(store().tryAcquire(name, holder(), LEASE, 0)).as("the new holder still holds it").isEmpty();
    }

    @Test
    void onlyTheHolderWithItsTokenRenewsOrReleases() {
        String name = name();
        String holder = holder();
        LockGrant grant = store().tryAcquire(name, holder, LEASE, 0).orElseThrow();
        assertThat(store().renew(name, holder(), grant.token(), LEASE)).isEmpty();
        assertThat(store().renew(name, holder, grant.token() + 1, LEASE)).isEmpty();
        assertThat(store().release(name, holder(), grant.token())).isEmpty();
        assertThat(store().release(name, holder, grant.token() - 1)).isEmpty();
        assertThat(store().tryAcquire(name, holder(), LEASE, 0)).isEmpty();
        assertThat(store().renew(name, holder, grant.token(), LEASE)).isPresent();
        assertThat(store().release(name, holder, grant.token())).isPresent();
        assertThat(store().tryAcquire(name, holder(), LEASE, 0)).isPresent();
    }

    @Test
    void renewingMovesTheExpiryOnTheStoreClock() {
        String name = name();
        String holder = holder();
        LockGrant grant = store().tryAcquire(name, holder, Duration.ofSeconds(2), 0).orElseThrow();
        // PostgreSQL reads its clock once per timestamp, so the two may lie a microsecond further apart
        assertThat(Duration.between(grant.acquiredAt(), grant.expiresAt())).isBetween(Duration.ofMillis(1999),
                Duration.ofMillis(2001));
        Instant renewed = store().renew(name, holder, grant.token(), Duration.ofSeconds(60)).orElseThrow();
        assertThat(renewed).isAfter(grant.acquiredAt().plusSeconds(59));
        Instant released = store().release(name, holder, grant.token()).orElseThrow();
        assertThat(released).isAfterOrEqualTo(grant.acquiredAt()).isBefore(renewed);
    }

    @Test
    void theFloorLiftsTokensAndNeverLowersThem() {
        String name = name();
        LockGrant floored = store().tryAcquire(name, holder(), Duration.ofMillis(300), 1000).orElseThrow();
        assertThat(floored.token()).isEqualTo(1001);
        store().raiseTokenFloor(name, 5000);
        store().raiseTokenFloor(name, 10);
        LockGrant next = await().until(() -> store().tryAcquire(name, holder(), LEASE, 0), Optional::isPresent)
            .orElseThrow();
        assertThat(next.token()).isEqualTo(5001);
    }

    @Test
    void raisingTheFloorOfAnUnknownNameWorks() {
        String name = name();
        store().raiseTokenFloor(name, 77);
        assertThat(store().tryAcquire(name, holder(), LEASE, 0).orElseThrow().token()).isEqualTo(78);
    }

    @Test
    void ofManyConcurrentTakersExactlyOneWins() throws Exception {
        int takers = 16;
        ExecutorService executor = Executors.newFixedThreadPool(takers);
        try {
            for (int round = 0; round < 5; round++) {
                String name = name();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Optional<LockGrant>>> results = new ArrayList<>();
                for (int i = 0; i < takers; i++) {
                    Callable<Optional<LockGrant>> take = () -> {
                        start.await();
                        return store().tryAcquire(name, holder(), LEASE, 0);
                    };
                    results.add(executor.submit(take));
                }
                start.countDown();
                int won = 0;
                for (Future<Optional<LockGrant>> result : results) {
                    won += result.get().isPresent() ? 1 : 0;
                }
                assertThat(won).as("round %d", round).isEqualTo(1);
            }
        }
        finally {
            executor.shutdownNow();
        }
    }

    @Test
    void pingAnswers() {
        store().ping();
    }

    protected static String name() {
        return "lock-" + UUID.randomUUID();
    }

    protected static String holder() {
        return "test:" + UUID.randomUUID().toString().substring(0, 8);
    }

}
