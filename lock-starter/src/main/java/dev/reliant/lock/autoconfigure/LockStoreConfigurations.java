package dev.reliant.lock.autoconfigure;

import javax.sql.DataSource;

import dev.reliant.lock.LockStore;
import dev.reliant.lock.jdbc.JdbcLockStore;
import dev.reliant.lock.jdbc.LockSchemaMigrator;
import dev.reliant.lock.redis.RedisLockStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;

/**
 * The built-in lock stores, tried in the order they are imported: Redis, then JDBC. Each backs off when a
 * {@link LockStore} bean exists already, so an application's own store always wins. AUTO chooses Redis only when the
 * application configured a Redis connection ({@link ConfiguredConnection#REDIS}), JDBC otherwise; when no store is
 * left at all, the start fails ({@link NoStoreConfiguration}).
 */
final class LockStoreConfigurations {

    private LockStoreConfigurations() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ RedisConnectionFactory.class, StringRedisTemplate.class })
    @ConditionalOnBean(RedisConnectionFactory.class)
    @Conditional(StoreTypeCondition.Redis.class)
    static class RedisStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(LockStore.class)
        RedisLockStore redisLockStore(RedisConnectionFactory connectionFactory, LockProperties properties) {
            return new RedisLockStore(new StringRedisTemplate(connectionFactory), properties.getRedis().getKeyPrefix());
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JdbcTemplate.class)
    @ConditionalOnBean(DataSource.class)
    @Conditional(StoreTypeCondition.Jdbc.class)
    static class JdbcStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(LockStore.class)
        @DependsOnDatabaseInitialization
        JdbcLockStore jdbcLockStore(DataSource dataSource, LockProperties properties,
                ObjectProvider<LockSchemaMigrator> migrator) {
            migrator.ifAvailable(LockSchemaMigrator::migrate);
            return new JdbcLockStore(new JdbcTemplate(dataSource), properties.getJdbc().getTable());
        }

    }

    /**
     * Fails the start, before any bean is created, when no store could be set up: an application that added the
     * starter but has nowhere to keep its locks would otherwise fail only when a {@code @Locked} method first runs.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(LockStore.class)
    static class NoStoreConfiguration {

        private static final String REDIS_CONNECTION_FACTORY =
                "org.springframework.data.redis.connection.RedisConnectionFactory";

        @Bean
        static BeanFactoryPostProcessor lockStoreRequired(Environment environment) {
            return beanFactory -> {
                ClassLoader classLoader = beanFactory.getBeanClassLoader();
                boolean redis = ClassUtils.isPresent(REDIS_CONNECTION_FACTORY, classLoader) && beanFactory
                    .getBeanNamesForType(ClassUtils.resolveClassName(REDIS_CONNECTION_FACTORY, classLoader), true,
                            false).length > 0;
                throw new NoLockStoreException(StoreTypeCondition.configured(environment),
                        ConfiguredConnection.REDIS.reason(beanFactory, environment).orElse(null), redis,
                        beanFactory.getBeanNamesForType(DataSource.class, true, false).length > 0);
            };
        }

    }

}
