package dev.reliant.lock.autoconfigure;

import dev.reliant.lock.autoconfigure.LockProperties.StoreType;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start that failed for want of a lock store, and how to configure one. */
class NoLockStoreFailureAnalyzer extends AbstractFailureAnalyzer<NoLockStoreException> {

    private static final String DISABLE = " To run without locks, set reliant.lock.enabled=false.";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NoLockStoreException cause) {
        return new FailureAnalysis(cause.getMessage(), action(cause.getConfigured()), cause);
    }

    private static String action(StoreType configured) {
        return switch (configured) {
            case REDIS -> "Give the application a connection to Redis (spring-boot-starter-data-redis, with"
                    + " spring.data.redis.host or spring.data.redis.url), or choose another store with"
                    + " reliant.lock.store." + DISABLE;
            case JDBC -> "Configure a DataSource (spring.datasource.url), or choose another store with"
                    + " reliant.lock.store." + DISABLE;
            case AUTO -> "Configure where the locks are kept: set spring.data.redis.host (or spring.data.redis.url)"
                    + " to keep them in Redis, or configure a DataSource (spring.datasource.url) to keep them in a"
                    + " PostgreSQL table." + DISABLE;
        };
    }

}
