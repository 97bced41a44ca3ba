package dev.reliant.lock.actuate;

import dev.reliant.lock.LockRegistry;
import dev.reliant.lock.LockStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** DOWN while the lock store cannot be reached: then no lock can be taken and held leases will be lost. */
public class LockStoreHealthIndicator extends AbstractHealthIndicator {

    private final LockStore store;

    private final LockRegistry registry;

    public LockStoreHealthIndicator(LockStore store, LockRegistry registry) {
        super("Lock store health check failed");
        this.store = store;
        this.registry = registry;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        store.ping();
        builder.up().withDetail("held", registry.held().size());
    }

}
