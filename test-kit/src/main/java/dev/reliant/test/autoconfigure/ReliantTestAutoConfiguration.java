package dev.reliant.test.autoconfigure;

import java.net.URI;

import javax.sql.DataSource;

import dev.reliant.outbox.jdbc.OutboxTables;
import dev.reliant.saga.SagaManager;
import dev.reliant.saga.core.LeaseKeeper;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.recovery.SagaAdministration;
import dev.reliant.test.idempotency.IdempotencyProbe;
import dev.reliant.test.outbox.OutboxMessages;
import dev.reliant.test.saga.CompensationRecorder;
import dev.reliant.test.saga.SagaScenario;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The test kit's beans in a {@code @ReliantTest} context, for the starters the application uses. */
@AutoConfiguration(afterName = { "dev.reliant.outbox.autoconfigure.OutboxAutoConfiguration",
        "dev.reliant.saga.autoconfigure.SagaAutoConfiguration" })
public final class ReliantTestAutoConfiguration {

    /** The port a running server of the test listens on, once it does. */
    private static final String LOCAL_SERVER_PORT = "local.server.port";

    @Bean
    @ConditionalOnMissingBean
    IdempotencyProbe reliantIdempotencyProbe(Environment environment) {
        return IdempotencyProbe.at(() -> {
            Integer port = environment.getProperty(LOCAL_SERVER_PORT, Integer.class);
            if (port == null) {
                throw new IllegalStateException("The idempotency probe needs a running server: use"
                        + " @SpringBootTest(webEnvironment = RANDOM_PORT), or IdempotencyProbe.at(uri)");
            }
            return URI.create("http://127.0.0.1:" + port);
        });
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.reliant.outbox.jdbc.OutboxTables")
    @ConditionalOnBean(OutboxTables.class)
    static class Outbox {

        @Bean
        @ConditionalOnMissingBean
        OutboxMessages reliantOutboxMessages(DataSource dataSource, OutboxTables tables) {
            return new OutboxMessages(dataSource, tables);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.reliant.saga.core.SagaEngine")
    @ConditionalOnBean(SagaEngine.class)
    static class Saga {

        @Bean
        @ConditionalOnMissingBean
        CompensationRecorder reliantCompensationRecorder(ObservationRegistry registry) {
            return new CompensationRecorder(registry);
        }

        @Bean
        @ConditionalOnMissingBean
        SagaScenario reliantSagaScenario(SagaManager sagas, SagaEngine engine, JdbcSagaLog sagaLog,
                LeaseKeeper leases, SagaAdministration administration, CompensationRecorder recorder) {
            return new SagaScenario(sagas, engine, sagaLog, leases, administration, recorder);
        }

    }

}
