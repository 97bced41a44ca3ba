package dev.reliant.lock.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import javax.sql.DataSource;

import dev.reliant.lock.Fence;
import dev.reliant.lock.LeaderCandidate;
import dev.reliant.lock.LockRegistry;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.aop.LockedAnnotationPostProcessor;
import dev.reliant.lock.aop.LockedMethodInterceptor;
import dev.reliant.lock.core.DefaultLockRegistry;
import dev.reliant.lock.jdbc.JdbcFence;
import dev.reliant.lock.jdbc.LockSchemaMigrator;
import dev.reliant.lock.leader.LeaderElection;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.lock.metrics.MicrometerLockMetrics;
import dev.reliant.lock.tx.FenceCheckingTransactionListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Fenced locks: a {@link LockRegistry} on Redis (when the application configured a Redis connection) or on the
 * application's database, a {@link Fence} in the application's database, the fence check on transactions begun under a lock,
 * {@code @Locked} methods and leader election for {@link LeaderCandidate} beans.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "reliant.lock.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LockProperties.class)
@Import({ LockStoreConfigurations.RedisStoreConfiguration.class, LockStoreConfigurations.JdbcStoreConfiguration.class,
        LockStoreConfigurations.NoStoreConfiguration.class, LockAutoConfiguration.SchemaConfiguration.class, LockAutoConfiguration.FenceConfiguration.class,
        LockAutoConfiguration.MetricsConfiguration.class })
public class LockAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LockRegistry.class)
    @ConditionalOnBean(LockStore.class)
    DefaultLockRegistry lockRegistry(LockStore store, LockProperties properties, ObjectProvider<LockMetrics> metrics) {
        return new DefaultLockRegistry(store, properties.getLease(), instanceId(properties),
                metrics.getIfAvailable(() -> LockMetrics.NONE));
    }

    @Bean
    @ConditionalOnBean(LockStore.class)
    LockStoreReport lockStoreReport(LockStore store, ObjectProvider<Fence> fence, LockProperties properties,
            ConfigurableListableBeanFactory beanFactory, Environment environment) {
        return new LockStoreReport(store, fence, properties,
                ConfiguredConnection.REDIS.reason(beanFactory, environment));
    }

    @Bean
    static LockedAnnotationPostProcessor lockedAnnotationPostProcessor(ObjectProvider<LockRegistry> registry,
            ObjectProvider<FenceCheckingTransactionListener> fenceChecks, ConfigurableBeanFactory beanFactory,
            Environment environment) {
        // A post-processor is created before properties beans are bound, so it binds the default lease itself.
        LockProperties properties = Binder.get(environment)
            .bind("reliant.lock", LockProperties.class)
            .orElseGet(LockProperties::new);
        return new LockedAnnotationPostProcessor(new LockedMethodInterceptor(registry, fenceChecks,
                beanFactory::resolveEmbeddedValue, properties.getLease()));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({ LockRegistry.class, LeaderCandidate.class })
    LeaderElection leaderElection(LockRegistry registry, List<LeaderCandidate> candidates,
            LockProperties properties) {
        return new LeaderElection(registry, candidates, properties.getLease(),
                properties.getLeader().getRetryInterval());
    }

    private static String instanceId(LockProperties properties) {
        if (!properties.getInstanceId().isBlank()) {
            return properties.getInstanceId();
        }
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        }
        catch (UnknownHostException ex) {
            return "pid-" + ProcessHandle.current().pid();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ JdbcTemplate.class, Flyway.class })
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnBooleanProperty(name = "reliant.lock.jdbc.create-schema", matchIfMissing = true)
    static class SchemaConfiguration {

        // After the application's own database initialisers: ours must not make its schema look non-empty first.
        @Bean
        @ConditionalOnMissingBean
        @DependsOnDatabaseInitialization
        LockSchemaMigrator lockSchemaMigrator(DataSource dataSource, LockProperties properties) {
            return new LockSchemaMigrator(dataSource, properties.getJdbc().getTable(),
                    properties.getFence().getTable(), properties.getJdbc().getHistoryTable());
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JdbcTemplate.class)
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnBooleanProperty(name = "reliant.lock.fence.enabled", matchIfMissing = true)
    static class FenceConfiguration {

        @Bean
        @ConditionalOnMissingBean(Fence.class)
        @DependsOnDatabaseInitialization
        JdbcFence lockFence(DataSource dataSource, LockProperties properties,
                ObjectProvider<LockSchemaMigrator> migrator, ObjectProvider<DefaultLockRegistry> registry,
                ObjectProvider<LockMetrics> metrics) {
            migrator.ifAvailable(LockSchemaMigrator::migrate);
            return new JdbcFence(new JdbcTemplate(dataSource), properties.getFence().getTable(),
                    metrics.getIfAvailable(() -> LockMetrics.NONE),
                    (lock, fenceToken) -> registry.ifAvailable(locks -> locks.fenceAhead(lock, fenceToken)));
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(Fence.class)
        @ConditionalOnBooleanProperty(name = "reliant.lock.fence.check-transactions", matchIfMissing = true)
        FenceCheckingTransactionListener fenceCheckingTransactionListener(Fence fence, DataSource dataSource) {
            return new FenceCheckingTransactionListener(fence, dataSource);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        LockMetrics lockMetrics(MeterRegistry registry) {
            return new MicrometerLockMetrics(registry);
        }

    }

}
