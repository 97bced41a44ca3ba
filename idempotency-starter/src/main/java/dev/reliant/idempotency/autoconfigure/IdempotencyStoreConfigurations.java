package dev.reliant.idempotency.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.redis.JedisStoreClient;
import dev.reliant.idempotency.redis.LettuceStoreClient;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;

/**
 * The built-in stores, tried in order: Redis (through Lettuce or Jedis, whichever the application's connection
 * factory is), then JDBC, then memory. Each backs off when an
 * {@link IdempotencyStore} bean exists already, so a user's own store always wins. AUTO chooses Redis only when the
 * application configured a Redis connection ({@link ConfiguredConnection#REDIS}), JDBC otherwise; when no store is
 * left at all, the start fails ({@link NoStoreConfiguration}).
 */
final class IdempotencyStoreConfigurations {

    private IdempotencyStoreConfigurations() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(LettuceConnectionFactory.class)
    @ConditionalOnBean(LettuceConnectionFactory.class)
    @Conditional(StoreTypeCondition.Redis.class)
    static class LettuceRedisStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        RedisIdempotencyStore redisIdempotencyStore(LettuceConnectionFactory connectionFactory,
                IdempotencyProperties properties) {
            return new RedisIdempotencyStore(new LettuceStoreClient(connectionFactory),
                    properties.getRedis().getKeyPrefix(), Clock.systemUTC());
        }
    }

    /**
     * With Jedis as the application's Redis client, the store's commands are sent on the request thread. Jedis's
     * own timeouts then bound each call, not the store's time limit: a start with a longer read timeout says so.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ JedisConnectionFactory.class, Jedis.class })
    @ConditionalOnBean(JedisConnectionFactory.class)
    @Conditional(StoreTypeCondition.Redis.class)
    static class JedisRedisStoreConfiguration {

        private static final Logger log = LoggerFactory.getLogger(JedisRedisStoreConfiguration.class);

        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        RedisIdempotencyStore redisIdempotencyStore(JedisConnectionFactory connectionFactory,
                IdempotencyProperties properties, ObjectProvider<TimeLimiterRegistry> timeLimiters) {
            Duration timeLimit = timeLimit(timeLimiters, properties);
            if (connectionFactory.getTimeout() > timeLimit.toMillis()) {
                log.warn("Jedis waits up to {} ms for a reply (spring.data.redis.timeout), longer than the"
                        + " idempotency store's time limit of {} ms, which cannot cut a blocking read short: during"
                        + " a Redis outage each idempotent request waits that long before the store counts as"
                        + " unavailable. Set spring.data.redis.timeout to at most the time limit.",
                        connectionFactory.getTimeout(), timeLimit.toMillis());
            }
            return new RedisIdempotencyStore(new JedisStoreClient(connectionFactory),
                    properties.getRedis().getKeyPrefix(), Clock.systemUTC());
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
            return new JdbcStoreResources(properties.getJdbc().getThreads(), properties.getJdbc().getQueueCapacity());
        }

        // After the application's own database initialisers: ours must not make its schema look non-empty first.
        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        @DependsOnDatabaseInitialization
        JdbcIdempotencyStore jdbcIdempotencyStore(DataSource dataSource, IdempotencyProperties properties,
                JdbcStoreResources resources, ObjectProvider<IdempotencySchemaMigrator> migrator,
                ObjectProvider<TimeLimiterRegistry> timeLimiters) {
            migrator.ifAvailable(IdempotencySchemaMigrator::migrate);
            IdempotencyProperties.Jdbc jdbc = properties.getJdbc();
            JdbcTemplate template = new JdbcTemplate(dataSource);
            // A statement the time limiter gave up on would otherwise hold its thread and connection until the
            // database answers: the database cancels it soon after the caller stopped waiting.
            template.setQueryTimeout(queryTimeoutSeconds(timeLimit(timeLimiters, properties)));
            JdbcIdempotencyStore store = new JdbcIdempotencyStore(template, resources.statements(), jdbc.getTable());
            resources.scheduleCleanup(store, jdbc.getCleanupInterval(), jdbc.getCleanupBatchSize());
            return store;
        }

        /** The time limiter's timeout in whole seconds, rounded up: JDBC counts query timeouts in seconds. */
        static int queryTimeoutSeconds(Duration timeLimit) {
            long millis = timeLimit.toMillis();
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
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

    /**
     * Fails the start, before any bean is created, when no store could be set up: an application that added the
     * starter but has nowhere to keep its records would otherwise run its idempotent endpoints unprotected, or
     * answer every one of them 503.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(IdempotencyStore.class)
    static class NoStoreConfiguration {

        private static final List<String> REDIS_STORE_FACTORIES = List.of(
                "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
                "org.springframework.data.redis.connection.jedis.JedisConnectionFactory");

        @Bean
        static BeanFactoryPostProcessor idempotencyStoreRequired(Environment environment) {
            return beanFactory -> {
                ClassLoader classLoader = beanFactory.getBeanClassLoader();
                boolean redisFactory = REDIS_STORE_FACTORIES.stream()
                    .anyMatch(type -> ClassUtils.isPresent(type, classLoader) && beanFactory
                        .getBeanNamesForType(ClassUtils.resolveClassName(type, classLoader), true, false).length > 0);
                boolean jdbc = ClassUtils.isPresent("org.springframework.jdbc.core.JdbcTemplate", classLoader)
                        && ClassUtils.isPresent("org.flywaydb.core.Flyway", classLoader);
                throw new NoIdempotencyStoreException(StoreTypeCondition.configured(environment),
                        ConfiguredConnection.REDIS.reason(beanFactory, environment).orElse(null), redisFactory, jdbc,
                        beanFactory.getBeanNamesForType(DataSource.class, true, false).length > 0);
            };
        }
    }

    /** The longest a store call may take: the timeout of the store's time limiter. */
    static Duration timeLimit(ObjectProvider<TimeLimiterRegistry> timeLimiters, IdempotencyProperties properties) {
        return timeLimiters.getIfAvailable(TimeLimiterRegistry::ofDefaults)
            .timeLimiter(properties.getResilienceInstance())
            .getTimeLimiterConfig()
            .getTimeoutDuration();
    }

    /**
     * The threads of the JDBC store: its statements, and the periodic deletion of expired records. Statements wait
     * for a thread in a bounded queue; when the database is too slow for that, a statement is refused at once (and
     * the call fails as the store being unavailable) instead of piling up behind ones that nobody waits for.
     */
    static final class JdbcStoreResources implements DisposableBean {

        private final ExecutorService statements;

        private final ExpiredRowCleaner cleanup = new ExpiredRowCleaner("reliant-idempotency-cleanup");

        JdbcStoreResources(int threads, int queueCapacity) {
            AtomicInteger count = new AtomicInteger();
            BlockingQueue<Runnable> queue = (queueCapacity > 0) ? new ArrayBlockingQueue<>(queueCapacity)
                    : new SynchronousQueue<>();
            this.statements = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, queue, runnable -> {
                Thread thread = new Thread(runnable, "reliant-idempotency-jdbc-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.AbortPolicy());
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
