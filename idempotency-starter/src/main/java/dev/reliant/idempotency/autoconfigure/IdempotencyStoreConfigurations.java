package dev.reliant.idempotency.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The built-in stores, tried in order: Redis, then JDBC, then memory. Each backs off when an
 * {@link IdempotencyStore} bean exists already, so a user's own store always wins.
 */
final class IdempotencyStoreConfigurations {

    private IdempotencyStoreConfigurations() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(LettuceConnectionFactory.class)
    @ConditionalOnBean(LettuceConnectionFactory.class)
    @Conditional(StoreTypeCondition.Redis.class)
    static class RedisStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        RedisIdempotencyStore redisIdempotencyStore(LettuceConnectionFactory connectionFactory,
                IdempotencyProperties properties) {
            return new RedisIdempotencyStore(connectionFactory, properties.getRedis().getKeyPrefix(),
                    Clock.systemUTC());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ JdbcTemplate.class, Flyway.class })
    @ConditionalOnBean(DataSource.class)
    @Conditional(StoreTypeCondition.Jdbc.class)
    static class JdbcStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        JdbcStoreResources jdbcIdempotencyStoreResources(IdempotencyProperties properties) {
            return new JdbcStoreResources(properties.getJdbc().getThreads());
        }

        // After the application's own database initialisers: ours must not make its schema look non-empty first.
        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        @DependsOnDatabaseInitialization
        JdbcIdempotencyStore jdbcIdempotencyStore(DataSource dataSource, IdempotencyProperties properties,
                JdbcStoreResources resources, ObjectProvider<IdempotencySchemaMigrator> migrator) {
            migrator.ifAvailable(IdempotencySchemaMigrator::migrate);
            IdempotencyProperties.Jdbc jdbc = properties.getJdbc();
            JdbcIdempotencyStore store = new JdbcIdempotencyStore(new JdbcTemplate(dataSource),
                    resources.statements(), jdbc.getTable());
            resources.scheduleCleanup(store, jdbc.getCleanupInterval(), jdbc.getCleanupBatchSize());
            return store;
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBooleanProperty(name = "reliant.idempotency.jdbc.create-schema", matchIfMissing = true)
        IdempotencySchemaMigrator idempotencySchemaMigrator(DataSource dataSource, IdempotencyProperties properties) {
            return new IdempotencySchemaMigrator(dataSource, properties.getJdbc().getTable(),
                    properties.getJdbc().getHistoryTable());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(StoreTypeCondition.Memory.class)
    static class MemoryStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        InMemoryIdempotencyStore inMemoryIdempotencyStore() {
            return new InMemoryIdempotencyStore(Clock.systemUTC());
        }
    }

    /** The threads of the JDBC store: its statements, and the periodic deletion of expired records. */
    static final class JdbcStoreResources implements DisposableBean {

        private final ExecutorService statements;

        private final ExpiredRowCleaner cleanup = new ExpiredRowCleaner("reliant-idempotency-cleanup");

        JdbcStoreResources(int threads) {
            AtomicInteger count = new AtomicInteger();
            this.statements = Executors.newFixedThreadPool(threads, runnable -> {
                Thread thread = new Thread(runnable, "reliant-idempotency-jdbc-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }

        ExecutorService statements() {
            return statements;
        }

        void scheduleCleanup(JdbcIdempotencyStore store, Duration interval, int batchSize) {
            cleanup.schedule("idempotency records", store::purgeExpired, interval, batchSize);
        }

        @Override
        public void destroy() throws InterruptedException {
            cleanup.destroy();
            statements.shutdownNow();
        }
    }
}
