package dev.reliant.saga.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

import javax.sql.DataSource;

import dev.reliant.saga.SagaManager;
import dev.reliant.saga.SagaOptions;
import dev.reliant.saga.core.CompensationHandlers;
import dev.reliant.saga.core.Compensator;
import dev.reliant.saga.core.DefaultSagaManager;
import dev.reliant.saga.core.LeaseKeeper;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.core.SagaMetrics;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaSchemaInitializer;
import dev.reliant.saga.jdbc.SagaTables;
import dev.reliant.saga.recovery.SagaAdministration;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Sagas with their log in the application's PostgreSQL database: the {@link SagaManager}, the log and its
 * schema, lease renewal and the recovery worker.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(DataSource.class)
class SagaConfiguration {

    @Bean
    @ConditionalOnMissingBean
    static CompensationHandlers sagaCompensationHandlers() {
        return new CompensationHandlers();
    }

    /**
     * Runs after the application's own database initialization (its Flyway, Liquibase or SQL scripts): those
     * refuse a schema that already holds tables they did not create, while ours baselines such a schema.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "reliant.saga.schema.create", matchIfMissing = true)
    @DependsOnDatabaseInitialization
    SagaSchemaInitializer sagaSchemaInitializer(DataSource dataSource, SagaProperties properties) {
        return new SagaSchemaInitializer(dataSource, tables(properties), properties.getSchema().getHistoryTable());
    }

    @Bean
    @ConditionalOnMissingBean
    JdbcSagaLog sagaLog(DataSource dataSource, ObjectProvider<PlatformTransactionManager> transactionManager,
            ObjectProvider<SagaSchemaInitializer> schema, SagaProperties properties) {
        // created first, so that the log is used only once its tables exist
        schema.getIfAvailable();
        return new JdbcSagaLog(new JdbcTemplate(dataSource), transactionManager(transactionManager, dataSource),
                tables(properties));
    }

    @Bean
    SagaLogReport sagaLogReport(SagaProperties properties) {
        return new SagaLogReport(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    LeaseKeeper sagaLeaseKeeper(JdbcSagaLog sagaLog, SagaProperties properties) {
        return new LeaseKeeper(sagaLog, ownerId(properties), properties.getLease().getDuration(),
                properties.getLease().getRenewInterval());
    }

    @Bean
    @ConditionalOnMissingBean
    SagaMetrics sagaMetrics(ObjectProvider<MeterRegistry> registry) {
        return new SagaMetrics(registry.getIfUnique(CompositeMeterRegistry::new));
    }

    @Bean
    @ConditionalOnMissingBean
    Compensator sagaCompensator(SagaProperties properties, SagaMetrics metrics) {
        SagaProperties.Compensation compensation = properties.getCompensation();
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(compensation.getInitialBackoff(),
                compensation.getBackoffMultiplier(), 0.2, compensation.getMaxBackoff());
        return new Compensator(compensation.getMaxAttempts(), backoff, metrics);
    }

    @Bean
    @ConditionalOnMissingBean
    SagaEngine sagaEngine(JdbcSagaLog sagaLog, CompensationHandlers handlers, ObjectProvider<JsonMapper> json,
            Compensator compensator, LeaseKeeper leases, SagaMetrics metrics,
            ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<PlatformTransactionManager> transactionManager, DataSource dataSource,
            SagaProperties properties) {
        SagaProperties.Compensation compensation = properties.getCompensation();
        return new SagaEngine(sagaLog, handlers, json.getIfUnique(() -> JsonMapper.builder().build()), compensator,
                leases, metrics, observations.getIfUnique(() -> ObservationRegistry.NOOP),
                transactionManager(transactionManager, dataSource),
                new SagaOptions(compensation.isParallel(), compensation.isContinueOnError()));
    }

    @Bean
    @ConditionalOnMissingBean
    SagaManager sagaManager(SagaEngine engine) {
        return new DefaultSagaManager(engine);
    }

    @Bean
    @ConditionalOnMissingBean
    SagaAdministration sagaAdministration(SagaEngine engine, JdbcSagaLog sagaLog, LeaseKeeper leases) {
        return new SagaAdministration(engine, sagaLog, leases.owner(), leases.lease());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "reliant.saga.recovery.enabled", matchIfMissing = true)
    SagaRecoveryWorker sagaRecoveryWorker(SagaEngine engine, JdbcSagaLog sagaLog, LeaseKeeper leases,
            SagaProperties properties) {
        SagaProperties.Recovery recovery = properties.getRecovery();
        return new SagaRecoveryWorker(engine, sagaLog, leases.owner(), leases.lease(), recovery.getInterval(),
                recovery.getBatchSize(), recovery.getRetention());
    }

    private static SagaTables tables(SagaProperties properties) {
        return new SagaTables(properties.getSchema().getSagaTable(), properties.getSchema().getStepTable());
    }

    private static PlatformTransactionManager transactionManager(
            ObjectProvider<PlatformTransactionManager> transactionManager, DataSource dataSource) {
        return transactionManager.getIfUnique(() -> new JdbcTransactionManager(dataSource));
    }

    private static String ownerId(SagaProperties properties) {
        if (properties.getOwnerId() != null) {
            return properties.getOwnerId();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException ex) {
            host = "unknown-host";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

}
