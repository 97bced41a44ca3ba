package dev.reliant.idempotency.autoconfigure;

import dev.reliant.idempotency.autoconfigure.IdempotencyProperties.StoreType;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start that failed for want of a store for idempotency records, and how to configure one. */
class NoIdempotencyStoreFailureAnalyzer extends AbstractFailureAnalyzer<NoIdempotencyStoreException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NoIdempotencyStoreException cause) {
        return new FailureAnalysis(cause.getMessage(), action(cause), cause);
    }

    private static String action(NoIdempotencyStoreException cause) {
        String otherwise = " To keep the records in this JVM only (tests), set reliant.idempotency.store=memory;"
                + " to run without idempotency, set reliant.idempotency.enabled=false.";
        if (cause.getConfigured() == StoreType.REDIS) {
            return "Give the application a Lettuce or Jedis connection to Redis (spring-boot-starter-data-redis, with"
                    + " spring.data.redis.host or spring.data.redis.url), or choose another store with"
                    + " reliant.idempotency.store." + otherwise;
        }
        String database = cause.isJdbcOnClassPath() ? "configure a DataSource (spring.datasource.url)"
                : "add spring-jdbc and flyway-core (with flyway-database-postgresql) and configure a DataSource"
                        + " (spring.datasource.url)";
        if (cause.getConfigured() == StoreType.JDBC) {
            return "To keep the records in a PostgreSQL table, " + database
                    + ", or choose another store with reliant.idempotency.store." + otherwise;
        }
        return "Configure where the records are kept: set spring.data.redis.host (or spring.data.redis.url) to keep"
                + " them in Redis, or " + database + " to keep them in a PostgreSQL table." + otherwise;
    }
}
