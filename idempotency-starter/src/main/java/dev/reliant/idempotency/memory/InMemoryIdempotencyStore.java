package dev.reliant.idempotency.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;

/**
 * Records in this JVM's memory, for tests and single-instance development: nothing survives a restart and other
 * instances do not see it. Expired records are dropped as new keys are claimed.
 */
public class InMemoryIdempotencyStore implements IdempotencyStore {

    private static final int PURGE_EVERY = 1024;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    private final AtomicInteger claimsSincePurge = new AtomicInteger();

    private final Clock clock;

    public InMemoryIdempotencyStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<ClaimResult> claim(String key, String owner, String fingerprint, Duration lease,
            Duration retention) {
        purgeNowAndThen();
        Instant now = clock.instant();
        AtomicReference<ClaimResult> result = new AtomicReference<>(ClaimResult.claimed());
        entries.compute(key, (k, current) -> {
            if (current != null && current.isLive(now)) {
                if (!current.hasLapsedLease(now)) {
                    result.set(ClaimResult.existing(current.record()));
                    return current;
                }
                result.set(ClaimResult.takenOver());
            }
            Instant leaseEnd = now.plus(lease);
            return new Entry(new IdempotencyRecord(RecordState.IN_PROGRESS, owner, fingerprint, null, leaseEnd),
                    later(leaseEnd, now.plus(retention)));
        });
        return CompletableFuture.completedFuture(result.get());
    }

    @Override
    public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
        return replaceHeld(key, owner, held -> {
            Instant leaseEnd = clock.instant().plus(lease);
            IdempotencyRecord record = held.record();
            return new Entry(new IdempotencyRecord(record.state(), owner, record.fingerprint(), null, leaseEnd),
                    later(leaseEnd, held.until()));
        });
    }

    @Override
    public CompletableFuture<Boolean> complete(String key, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention) {
        return replaceHeld(key, owner, held -> {
            Instant until = clock.instant().plus(retention);
            return new Entry(new IdempotencyRecord(state, owner, fingerprint, response, until), until);
        });
    }

    @Override
    public CompletableFuture<Boolean> release(String key, String owner) {
        return replaceHeld(key, owner, held -> null);
    }

    @Override
    public CompletableFuture<Optional<IdempotencyRecord>> find(String key) {
        return CompletableFuture.completedFuture(Optional.ofNullable(entries.get(key))
            .filter(entry -> entry.isLive(clock.instant()))
            .map(Entry::record));
    }

    @Override
    public CompletableFuture<Eviction> evict(String key, boolean inProgressToo) {
        Instant now = clock.instant();
        AtomicReference<Eviction> result = new AtomicReference<>(Eviction.ABSENT);
        entries.computeIfPresent(key, (k, current) -> {
            if (!current.isLive(now)) {
                return null;
            }
            if (current.record().state() == RecordState.IN_PROGRESS && !inProgressToo) {
                result.set(Eviction.IN_PROGRESS);
                return current;
            }
            result.set(Eviction.EVICTED);
            return null;
        });
        return CompletableFuture.completedFuture(result.get());
    }

    /** Applies {@code replacement} to the live in-progress record of {@code owner}; false when it holds none. */
    private CompletableFuture<Boolean> replaceHeld(String key, String owner, UnaryOperator<Entry> replacement) {
        Instant now = clock.instant();
        AtomicBoolean held = new AtomicBoolean();
        entries.computeIfPresent(key, (k, current) -> {
            IdempotencyRecord record = current.record();
            if (record.state() == RecordState.IN_PROGRESS && record.owner().equals(owner) && current.isLive(now)) {
                held.set(true);
                return replacement.apply(current);
            }
            return current;
        });
        return CompletableFuture.completedFuture(held.get());
    }

    private void purgeNowAndThen() {
        if (claimsSincePurge.incrementAndGet() >= PURGE_EVERY) {
            claimsSincePurge.set(0);
            Instant now = clock.instant();
            entries.values().removeIf(entry -> !entry.isLive(now));
        }
    }

    private static Instant later(Instant one, Instant other) {
        return one.isAfter(other) ? one : other;
    }

    /**
     * A record and the end of its life, which for an in-progress record is its retention, not its lease end.
     */
    private record Entry(IdempotencyRecord record, Instant until) {

        boolean isLive(Instant now) {
            return until.isAfter(now);
        }

        boolean hasLapsedLease(Instant now) {
            return record.state() == RecordState.IN_PROGRESS && !record.expiresAt().isAfter(now);
        }
    }
}
