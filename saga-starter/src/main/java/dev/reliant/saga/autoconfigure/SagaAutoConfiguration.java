package dev.reliant.saga.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Sagas with their log in the application's PostgreSQL database ({@link SagaConfiguration}). Without a single
 * {@code DataSource} to keep the log in, the application fails to start ({@link NoDataSourceConfiguration}): an
 * application that added the starter and has nowhere to log its sagas is misconfigured, and backing off would only
 * move the failure to the first bean that needs a saga.
 */
@AutoConfiguration(after = { DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
        TransactionAutoConfiguration.class },
        afterName = { "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnBooleanProperty(name = "reliant.saga.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SagaProperties.class)
@Import(SagaConfiguration.class)
public final class SagaAutoConfiguration {

    /** Fails the start before any bean is created, so that no bean needing a saga fails first, less clearly. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(NoSingleDataSource.class)
    static class NoDataSourceConfiguration {

        @Bean
        static BeanFactoryPostProcessor sagaDataSourceRequired() {
            return beanFactory -> {
                throw new SagaDataSourceMissingException(
                        List.of(beanFactory.getBeanNamesForType(DataSource.class, true, false)));
            };
        }

    }

    /** Matches when there is no {@code DataSource}, or several and none of them primary. */
    static class NoSingleDataSource extends NoneNestedConditions {

        NoSingleDataSource() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnSingleCandidate(DataSource.class)
        static class SingleDataSource {

        }

    }

}
