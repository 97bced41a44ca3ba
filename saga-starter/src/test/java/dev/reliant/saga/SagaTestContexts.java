package dev.reliant.saga;

import dev.reliant.saga.autoconfigure.SagaActuatorAutoConfiguration;
import dev.reliant.saga.autoconfigure.SagaAutoConfiguration;
import dev.reliant.testsupport.TestPostgres;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

final class SagaTestContexts {

    static final AutoConfigurations JDBC = AutoConfigurations.of(DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
            JdbcTemplateAutoConfiguration.class);

    static final AutoConfigurations SAGA = AutoConfigurations.of(SagaAutoConfiguration.class,
            SagaActuatorAutoConfiguration.class);

    private SagaTestContexts() {
    }

    /** Sagas on {@code schema} with fast retries; recovery passes run only when a test calls them. */
    static ApplicationContextRunner runner(TestPostgres.Schema schema) {
        return new ApplicationContextRunner().withConfiguration(JDBC)
            .withConfiguration(SAGA)
            .withUserConfiguration(LedgerConfiguration.class)
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.saga.recovery.interval=1h", "reliant.saga.compensation.max-attempts=5",
                    "reliant.saga.compensation.initial-backoff=10ms", "reliant.saga.compensation.max-backoff=50ms");
    }

    @Configuration(proxyBeanMethods = false)
    static class LedgerConfiguration {

        @Bean
        Ledger ledger(JdbcTemplate jdbc) {
            return new Ledger(jdbc);
        }

    }

}
