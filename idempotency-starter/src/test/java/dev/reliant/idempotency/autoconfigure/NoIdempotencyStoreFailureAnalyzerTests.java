package dev.reliant.idempotency.autoconfigure;

import dev.reliant.idempotency.autoconfigure.IdempotencyProperties.StoreType;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class NoIdempotencyStoreFailureAnalyzerTests {

    private final NoIdempotencyStoreFailureAnalyzer analyzer = new NoIdempotencyStoreFailureAnalyzer();

    @Test
    void autoWithNeitherRedisNorADataSourceNamesBothWaysToConfigureAStore() {
        FailureAnalysis analysis = analyzer.analyze(new NoIdempotencyStoreException(StoreType.AUTO, null, true,
                true, false));
        assertThat(analysis.getDescription()).isEqualTo("No store for idempotency records: reliant.idempotency.store"
                + " is auto, and the stores that auto chooses from are not available.\n"
                + "\t- Redis: no Redis connection is configured: none of spring.data.redis.url, host, port, username,"
                + " password, sentinel.* or cluster.nodes is set, and there is neither a service connection nor a"
                + " RedisConnectionFactory of the application's (the one Spring Boot creates for localhost by default"
                + " does not count)\n"
                + "\t- JDBC: there is no DataSource bean");
        assertThat(analysis.getAction()).isEqualTo("Configure where the records are kept: set spring.data.redis.host"
                + " (or spring.data.redis.url) to keep them in Redis, or configure a DataSource (spring.datasource.url)"
                + " to keep them in a PostgreSQL table. To keep the records in this JVM only (tests), set"
                + " reliant.idempotency.store=memory; to run without idempotency, set"
                + " reliant.idempotency.enabled=false.");
    }

    @Test
    void aConfiguredRedisWithoutLettuceIsToldApart() {
        FailureAnalysis analysis = analyzer.analyze(new NoIdempotencyStoreException(StoreType.AUTO,
                "spring.data.redis.host is set", false, true, false));
        assertThat(analysis.getDescription()).contains("\t- Redis: Redis is configured (spring.data.redis.host is"
                + " set) but there is no LettuceConnectionFactory or JedisConnectionFactory bean, which the Redis"
                + " store needs\n");
    }

    @Test
    void jdbcWithoutItsLibrariesSaysWhichToAdd() {
        FailureAnalysis analysis = analyzer.analyze(new NoIdempotencyStoreException(StoreType.JDBC, null, true,
                false, true));
        assertThat(analysis.getDescription()).endsWith("reliant.idempotency.store is jdbc, and the store it names is"
                + " not available.\n\t- JDBC: spring-jdbc and flyway-core are not both on the class path");
        assertThat(analysis.getAction()).startsWith("To keep the records in a PostgreSQL table, add spring-jdbc and"
                + " flyway-core (with flyway-database-postgresql) and configure a DataSource");
    }

    @Test
    void redisNamedExplicitlyAsksForALettuceConnection() {
        FailureAnalysis analysis = analyzer.analyze(new NoIdempotencyStoreException(StoreType.REDIS, null, false,
                true, true));
        assertThat(analysis.getDescription()).endsWith(
                "\t- Redis: there is no LettuceConnectionFactory or JedisConnectionFactory bean");
        assertThat(analysis.getAction()).startsWith("Give the application a Lettuce or Jedis connection to Redis");
    }

    @Test
    void findsTheExceptionWhereverItIsInTheCauses() {
        NoIdempotencyStoreException cause = new NoIdempotencyStoreException(StoreType.AUTO, null, true, true, false);
        assertThat(analyzer.analyze(new BeanCreationException("idempotencyFilter", "failed", cause)).getCause())
            .isSameAs(cause);
        assertThat(analyzer.analyze(new IllegalStateException("something else"))).isNull();
    }
}
