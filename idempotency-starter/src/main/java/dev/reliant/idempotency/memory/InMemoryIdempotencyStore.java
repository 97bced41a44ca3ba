package dev.reliant.idempotency.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.reliant.idempotency.ClaimResult;
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

    private final ConcurrentHashMap<String, IdempotencyRecord> records = new ConcurrentHashMap<>();

    private final AtomicInteger claimsSincePurge = new AtomicInteger();

    private final Clock clock;

    public InMemoryIdempotencyStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<ClaimResult> claim(String key, String owner, String fingerprint, Duration lease) {
        purgeNowAndThen();
        Instant now = clock.instant();
        AtomicReference<IdempotencyRecord> found = new AtomicReference<>();
        records.compute(key, (k, current) -> {
            if (live(current, now)) {
                found.set(current);
                return current;
            }
            return new IdempotencyRecord(RecordState.IN_PROGRESS, owner, fingerprint, null, now.plus(lease));
        });
        IdempotencyRecord existing = found.get();
        return CompletableFuture
            .completedFuture((existing != null) ? ClaimResult.existing(existing) : ClaimResult.claimed());
    }

    @Override
    public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
        return replaceHeld(key, owner, held -> new IdempotencyRecord(held.state(), owner, held.fingerprint(), null,
                clock.instant().plus(lease)));
    }

    @Override
    public CompletableFuture<Boolean> complete(String key, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention) {
        return replaceHeld(key, owner,
                held -> new IdempotencyRecord(state, owner, fingerprint, response, clock.instant().plus(retention)));
    }

    @Override
    public CompletableFuture<Boolean> release(String key, String owner) {
        return replaceHeld(key, owner, held -> null);
    }

    @Override
    public CompletableFuture<Optional<IdempotencyRecord>> find(String key) {
        IdempotencyRecord record = records.get(key);
        return CompletableFuture.completedFuture(Optional.ofNullable(record).filter(r -> live(r, clock.instant())));
    }

    @Override
    public CompletableFuture<Boolean> evict(String key) {
        IdempotencyRecord removed = records.remove(key);
        return CompletableFuture.completedFuture(removed != null && live(removed, clock.instant()));
    }

    private CompletableFuture<Boolean> replaceHeld(String key, String owner,
            java.util.function.UnaryOperator<IdempotencyRecord> replacement) {
        Instant now = clock.instant();
        AtomicReference<Boolean> held = new AtomicReference<>(false);
        records.computeIfPresent(key, (k, current) -> {
            if (current.state() == RecordState.IN_PROGRESS && current.owner().equals(owner) && live(current, now)) {
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
            records.values().removeIf(record -> !live(record, now));
        }
    }

    private static boolean live(IdempotencyRecord record, Instant now) {
        return record != null && record.expiresAt().isAfter(now);
    }
}
