package dev.reliant.outbox.autoconfigure;

import javax.sql.DataSource;

import org.postgresql.PGConnection;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The transactional outbox on the application's PostgreSQL {@link DataSource} ({@link OutboxConfiguration}). Without
 * a {@code DataSource} the application fails to start ({@link MissingDataSourceConfiguration}): an application that
 * added the starter and has nowhere to write its messages is misconfigured, and backing off would only move the
 * failure to the first bean that needs the outbox, or lose the messages of a publisher nobody calls.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
        "org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass({ JdbcTemplate.class, PGConnection.class })
@ConditionalOnBooleanProperty(name = "reliant.outbox.enabled", matchIfMissing = true)
@EnableConfigurationProperties(OutboxProperties.class)
@Import(OutboxConfiguration.class)
public final class OutboxAutoConfiguration {

    /** Fails the start before any bean is created, so that no bean needing the outbox fails first, less clearly. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(DataSource.class)
    static class MissingDataSourceConfiguration {

        @Bean
        static BeanFactoryPostProcessor outboxDataSourceRequired() {
            return beanFactory -> {
                throw new OutboxDataSourceMissingException();
            };
        }
    }
}
