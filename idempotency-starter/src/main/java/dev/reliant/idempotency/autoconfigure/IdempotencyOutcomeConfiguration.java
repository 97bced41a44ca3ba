package dev.reliant.idempotency.autoconfigure;

import javax.sql.DataSource;

import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.outcome.RequestTransactions;
import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * With a {@code DataSource}, idempotent handlers run in a transaction on it that commits their outcome together with
 * their business writes, whichever store keeps the claims.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ JdbcTemplate.class, Flyway.class })
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "reliant.idempotency.outcome.enabled", matchIfMissing = true)
class IdempotencyOutcomeConfiguration {

    // After the application's own database initialisers: ours must not make its schema look non-empty first.
    @Bean
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    OutcomeLog idempotencyOutcomeLog(DataSource dataSource, IdempotencyProperties properties,
            ExpiredRowCleaner idempotencyOutcomeCleaner) {
        IdempotencyProperties.Outcome outcome = properties.getOutcome();
        if (outcome.isCreateSchema()) {
            new IdempotencySchemaMigrator(dataSource, IdempotencySchemaMigrator.OUTCOME_LOCATION, outcome.getTable(),
                    outcome.getHistoryTable())
                .migrate();
        }
        OutcomeLog log = new OutcomeLog(new JdbcTemplate(dataSource), outcome.getTable());
        idempotencyOutcomeCleaner.schedule("idempotency outcomes", log::purgeExpired, outcome.getCleanupInterval(),
                outcome.getCleanupBatchSize());
        return log;
    }

    @Bean
    ExpiredRowCleaner idempotencyOutcomeCleaner() {
        return new ExpiredRowCleaner("reliant-idempotency-outcome-cleanup");
    }

    /**
     * A plain JDBC application gets transactions that take a connection only when a statement needs one; any other
     * transaction manager (JPA) is used as it is.
     */
    @Bean
    @ConditionalOnMissingBean
    RequestTransactions idempotencyRequestTransactions(DataSource dataSource,
            ObjectProvider<PlatformTransactionManager> transactionManager) {
        PlatformTransactionManager manager = transactionManager.getIfUnique();
        if (manager == null || manager instanceof DataSourceTransactionManager) {
            return RequestTransactions.lazy(dataSource);
        }
        return RequestTransactions.of(manager);
    }
}
