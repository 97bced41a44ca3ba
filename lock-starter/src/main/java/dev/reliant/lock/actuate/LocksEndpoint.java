package dev.reliant.lock.actuate;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockRegistry;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/locks}: the locks this instance holds, with their tokens. For operators. */
@Endpoint(id = "locks")
public class LocksEndpoint {

    private final LockRegistry registry;

    public LocksEndpoint(LockRegistry registry) {
        this.registry = registry;
    }

    @ReadOperation
    public List<HeldLock> held() {
        return registry.held()
            .stream()
            .map(HeldLock::of)
            .sorted(Comparator.comparing(HeldLock::name))
            .toList();
    }

    /** One held lock; times are on the store's clock. */
    public record HeldLock(String name, long token, String holder, Instant acquiredAt, Instant expiresAt) {

        static HeldLock of(LockLease lease) {
            return new HeldLock(lease.name(), lease.token(), lease.holder(), lease.acquiredAt(), lease.expiresAt());
        }

    }

}
