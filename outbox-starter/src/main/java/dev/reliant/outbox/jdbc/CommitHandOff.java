package dev.reliant.outbox.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.reliant.outbox.jdbc.RelayStore.ClaimedMessage;
import org.jspecify.annotations.Nullable;

/**
 * This instance's relay, as the writers of this instance see it: a writer that adds a key's row leases the key to
 * the relay in the same statement, and once its transaction has committed hands the key's messages over in memory.
 * They are sent without a claim, so no database round trip stands between a commit and its publication. Should the
 * hand-over never be sent (a crash, a shutdown, a lease run out), the keys are due for any relay once this
 * instance is given up for dead, or when the lease ends, as every claim's are.
 */
public interface CommitHandOff {

    /**
     * The relaying instance a writer may lease the keys it adds to right now, or null when this instance's relay
     * cannot take hand-overs (not running, stopping, or not known to be alive).
     */
    @Nullable UUID holder();

    /** How long a writer's lease lasts from the statement that takes it. */
    Duration lease();

    /** Takes the leased messages of a transaction that has just committed. It must return at once. */
    void handOff(Committed committed);

    /**
     * The keys a transaction leased and the messages it wrote for them, per key in sequence order.
     * @param holder the instance the keys were leased to
     * @param token the token the keys and messages were leased under
     * @param leasedAt when, by {@link System#nanoTime()}, the first lease was taken, no later than the database
     * started its lease
     * @param keys every key leased, including those whose every message was refused as a duplicate
     * @param messages the messages written for those keys
     */
    record Committed(UUID holder, UUID token, long leasedAt, List<String> keys, List<ClaimedMessage> messages) {
    }
}
