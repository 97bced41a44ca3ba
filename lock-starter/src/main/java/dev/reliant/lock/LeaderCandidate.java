package dev.reliant.lock;

/**
 * A bean that wants to lead a role: one instance at a time is granted it, through a fenced lock named after the
 * role. Callbacks run on the election's thread and must return quickly; work done as leader should carry the
 * lease's token to a {@link Fence}.
 */
public interface LeaderCandidate {

    /** The role, also the lock's name. */
    String role();

    /** This instance leads from now on, with the lease's token. */
    void onGranted(LockLease lease);

    /** This instance no longer leads: its lease was lost, or the application is stopping. */
    void onRevoked(LockLease lease);

}
