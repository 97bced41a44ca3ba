package dev.reliant.lock;

import java.util.OptionalLong;

/**
 * The check at the store: a table of resources, each with the highest token that wrote to it. Checking advances
 * the resource's fence to the writer's token in the caller's transaction, or throws
 * {@link FencedWriteRefusedException} when a later holder has written already, so that the caller's transaction
 * rolls back. The fence row stays locked until the transaction ends, so two writers to one resource commit in
 * token order.
 */
public interface Fence {

    /**
     * Admits a write by {@code lease} to {@code resource} in the current transaction: the lease's token must be
     * above the fence, or equal to it from the same holder.
     *
     * @throws FencedWriteRefusedException when a later holder has written to the resource
     * @throws IllegalStateException when no transaction is active
     */
    void check(String resource, LockLease lease);

    /** As {@link #check(String, LockLease)}, for a token and holder carried from elsewhere. */
    void check(String resource, long token, String holder);

    /** The highest token that wrote to the resource, if any did. */
    OptionalLong token(String resource);

}
