package dev.reliant.saga;

import java.util.function.Function;

import dev.reliant.saga.actuate.SagaEndpoint;
import dev.reliant.saga.actuate.SagaHealthIndicator;
import dev.reliant.saga.autoconfigure.SagaAutoConfiguration;
import dev.reliant.saga.autoconfigure.SagaWebAutoConfiguration;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaSchemaInitializer;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class SagaAutoConfigurationTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema());


    @Test
    void setsUpSagasWithTheirOwnMigrationHistory() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(SagaManager.class)
                .hasSingleBean(SagaRecoveryWorker.class)
                .hasSingleBean(SagaHealthIndicator.class)
                .doesNotHaveBean(SagaEndpoint.class)
                .doesNotHaveBean(FilterRegistrationBean.class);
            assertThat(database.jdbc().queryForList("SELECT version FROM reliant_saga_schema_history WHERE success",
                    String.class)).contains("0", "1");
        });
    }

    @Test
    void backsOffWithoutADataSource() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SagaAutoConfiguration.class))
            .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SagaManager.class));
    }

    @Test
    void backsOffWhenDisabled() {
        runner.withPropertyValues("reliant.saga.enabled=false")
            .run(context -> assertThat(context).doesNotHaveBean(SagaEngine.class)
                .doesNotHaveBean(SagaManager.class)
                .doesNotHaveBean(SagaHealthIndicator.class));
    }

    @Test
    void backsOffForTheApplicationsOwnBeans() {
        SagaManager own = new SagaManager() {

            @Override
            public <T> T call(String name, SagaOptions options, Function<Saga, T> body) {
                throw new UnsupportedOperationException();
            }

        };
        runner.withBean(SagaManager.class, () -> own)
            .run(context -> assertThat(context.getBean(SagaManager.class)).isSameAs(own));
    }

    @Test
    void recoveryWorkerHealthAndSchemaCanBeSwitchedOff() {
        runner
            .withPropertyValues("reliant.saga.recovery.enabled=false", "management.health.saga.enabled=false",
                    "reliant.saga.schema.create=false")
            .run(context -> assertThat(context).hasSingleBean(JdbcSagaLog.class)
                .doesNotHaveBean(SagaRecoveryWorker.class)
                .doesNotHaveBean(SagaHealthIndicator.class)
                .doesNotHaveBean(SagaSchemaInitializer.class));
    }

    @Test
    void endpointIsAvailableOnceExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=sagas")
            .run(context -> assertThat(context).hasSingleBean(SagaEndpoint.class));
    }

    @Test
    void webRequestsGetASagaUnlessDisabled() {
        WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(SagaTestContexts.JDBC)
            .withConfiguration(SagaTestContexts.SAGA)
            .withConfiguration(AutoConfigurations.of(SagaWebAutoConfiguration.class))
            .withPropertyValues(database.schema().springProperties());
        web.run(context -> assertThat(context).hasSingleBean(FilterRegistrationBean.class).hasBean("saga"));
        web.withPropertyValues("reliant.saga.web.url-patterns=/orders/*,/payments/*")
            .run(context -> assertThat(context.getBean(FilterRegistrationBean.class).getUrlPatterns())
                .containsExactly("/orders/*", "/payments/*"));
        web.withPropertyValues("reliant.saga.web.enabled=false")
            .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class)
                .doesNotHaveBean("saga"));
    }

    @Test
    void applicationMigrationsKeepWorkingBesideTheSagaLog() {
        TestPostgres.Schema appSchema = TestPostgres.newSchema();
        new ApplicationContextRunner().withConfiguration(SagaTestContexts.JDBC)
            .withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
            .withConfiguration(SagaTestContexts.SAGA)
            .withPropertyValues(appSchema.springProperties())
            .withPropertyValues("spring.flyway.locations=classpath:db/app-migration")
            .run(context -> {
                JdbcTemplate app = context.getBean(JdbcTemplate.class);
                assertThat(app.queryForList("SELECT version FROM flyway_schema_history WHERE success", String.class))
                    .containsExactly("1");
                assertThat(app.queryForList("SELECT version FROM reliant_saga_schema_history WHERE success",
                        String.class)).contains("1");
                assertThat(app.queryForObject("SELECT count(*) FROM app_orders", Long.class)).isZero();
                assertThat(app.queryForObject("SELECT count(*) FROM reliant_saga", Long.class)).isZero();
                appSchema.drop(context.getBean(javax.sql.DataSource.class));
            });
    }

}
