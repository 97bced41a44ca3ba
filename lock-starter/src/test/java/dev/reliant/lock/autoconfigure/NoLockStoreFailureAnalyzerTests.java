package dev.reliant.lock.autoconfigure;

import dev.reliant.lock.autoconfigure.LockProperties.StoreType;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class NoLockStoreFailureAnalyzerTests {

    private final NoLockStoreFailureAnalyzer analyzer = new NoLockStoreFailureAnalyzer();

    @Test
    void autoWithNeitherRedisNorADataSourceNamesBothWaysToConfigureAStore() {
        FailureAnalysis analysis = analyzer.analyze(new NoLockStoreException(StoreType.AUTO, null, true, false));
        assertThat(analysis.getDescription()).isEqualTo("No store for locks: reliant.lock.store is auto, and the"
                + " stores that auto chooses from are not available.\n"
                + "\t- Redis: no Redis connection is configured: none of spring.data.redis.url, host, port, username,"
                + " password, sentinel.* or cluster.nodes is set, and there is neither a service connection nor a"
                + " RedisConnectionFactory of the application's (the one Spring Boot creates for localhost by default"
                + " does not count)\n"
                + "\t- JDBC: there is no DataSource bean");
        assertThat(analysis.getAction()).isEqualTo("Configure where the locks are kept: set spring.data.redis.host"
                + " (or spring.data.redis.url) to keep them in Redis, or configure a DataSource (spring.datasource.url)"
                + " to keep them in a PostgreSQL table. To run without locks, set reliant.lock.enabled=false.");
    }

    @Test
    void redisNamedExplicitlyWithoutSpringDataRedisAsksForIt() {
        FailureAnalysis analysis = analyzer.analyze(new NoLockStoreException(StoreType.REDIS, null, false, true));
        assertThat(analysis.getDescription()).endsWith("reliant.lock.store is redis, and the store it names is not"
                + " available.\n\t- Redis: there is no RedisConnectionFactory bean (spring-boot-starter-data-redis is"
                + " not on the class path, or its auto-configuration is off)");
        assertThat(analysis.getAction()).startsWith("Give the application a connection to Redis");
    }

    @Test
    void jdbcNamedExplicitlyAsksForADataSource() {
        FailureAnalysis analysis = analyzer.analyze(new NoLockStoreException(StoreType.JDBC, null, true, false));
        assertThat(analysis.getDescription()).endsWith("\t- JDBC: there is no DataSource bean")
            .doesNotContain("Redis:");
        assertThat(analysis.getAction()).startsWith("Configure a DataSource (spring.datasource.url)");
    }

    @Test
    void findsTheExceptionWhereverItIsInTheCauses() {
        NoLockStoreException cause = new NoLockStoreException(StoreType.AUTO, null, true, false);
        assertThat(analyzer.analyze(new BeanCreationException("lockRegistry", "failed", cause)).getCause())
            .isSameAs(cause);
        assertThat(analyzer.analyze(new IllegalStateException("something else"))).isNull();
    }

}
