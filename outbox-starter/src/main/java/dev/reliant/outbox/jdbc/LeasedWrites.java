package dev.reliant.outbox.jdbc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.reliant.outbox.jdbc.RelayStore.ClaimedMessage;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The keys one transaction leased to this instance's relay and the messages it wrote for them, handed to the relay
 * once the transaction has committed. A rollback hands over nothing, and a rollback to a savepoint (a nested
 * transaction's) forgets what was written after it: the rows are gone, so they must not be sent.
 */
final class LeasedWrites implements TransactionSynchronization {

    private final Object resourceKey;

    private final CommitHandOff handOff;

    private final UUID holder;

    private final UUID token;

    private final long leasedAt;

    private final List<String> keys = new ArrayList<>();

    private final Set<String> held = new HashSet<>();

    private final List<ClaimedMessage> messages = new ArrayList<>();

    /** How many keys and messages there were when each savepoint was set. */
    private final Map<Object, int[]> savepoints = new HashMap<>();

    private LeasedWrites(Object resourceKey, CommitHandOff handOff, UUID holder) {
        this.resourceKey = resourceKey;
        this.handOff = handOff;
        this.holder = holder;
        this.token = UUID.randomUUID();
        this.leasedAt = System.nanoTime();
    }

    /**
     * The current transaction's leases, begun now if this is its first leasing write, or null when the relay takes
     * no hand-overs.
     */
    static LeasedWrites current(Object resourceKey, CommitHandOff handOff) {
        LeasedWrites bound = (LeasedWrites) TransactionSynchronizationManager.getResource(resourceKey);
        if (bound != null) {
            return bound;
        }
        UUID holder = handOff.holder();
        if (holder == null) {
            return null;
        }
        LeasedWrites begun = new LeasedWrites(resourceKey, handOff, holder);
        TransactionSynchronizationManager.bindResource(resourceKey, begun);
        TransactionSynchronizationManager.registerSynchronization(begun);
        return begun;
    }

    UUID holder() {
        return holder;
    }

    UUID token() {
        return token;
    }

    /** Whether this transaction leased {@code key} already, so that its next messages are leased as well. */
    boolean holds(String key) {
        return held.contains(key);
    }

    void leased(String key) {
        if (held.add(key)) {
            keys.add(key);
        }
    }

    void written(ClaimedMessage message) {
        messages.add(message);
    }

    /**
     * A transaction started inside this one (REQUIRES_NEW) suspends it: its writes lease under a token of its own and
     * are handed over, or not, with its own commit.
     */
    @Override
    public void suspend() {
        TransactionSynchronizationManager.unbindResource(resourceKey);
    }

    @Override
    public void resume() {
        TransactionSynchronizationManager.bindResource(resourceKey, this);
    }

    @Override
    public void savepoint(Object savepoint) {
        savepoints.put(savepoint, new int[] { keys.size(), messages.size() });
    }

    @Override
    public void savepointRollback(Object savepoint) {
        // a savepoint set before this transaction's first leasing write predates every lease
        int[] sizes = savepoints.getOrDefault(savepoint, new int[] { 0, 0 });
        while (keys.size() > sizes[0]) {
            held.remove(keys.remove(keys.size() - 1));
        }
        while (messages.size() > sizes[1]) {
            messages.remove(messages.size() - 1);
        }
    }

    @Override
    public void afterCommit() {
        if (!keys.isEmpty()) {
            handOff.handOff(new CommitHandOff.Committed(holder, token, leasedAt, List.copyOf(keys),
                    List.copyOf(messages)));
        }
    }

    @Override
    public void afterCompletion(int status) {
        TransactionSynchronizationManager.unbindResourceIfPossible(resourceKey);
    }
}
