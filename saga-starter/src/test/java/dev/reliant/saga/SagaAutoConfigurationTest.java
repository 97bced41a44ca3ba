package dev.reliant.saga;

import java.util.List;
import java.util.function.Function;

import javax.sql.DataSource;

import dev.reliant.saga.actuate.SagaEndpoint;
import dev.reliant.saga.actuate.SagaHealthIndicator;
import dev.reliant.saga.autoconfigure.SagaAutoConfiguration;
import dev.reliant.saga.autoconfigure.SagaDataSourceMissingException;
import dev.reliant.saga.autoconfigure.SagaWebAutoConfiguration;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaSchemaInitializer;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class SagaAutoConfigurationTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema());


    @Test
    void setsUpSagasWithTheirOwnMigrationHistory(CapturedOutput output) {
        runner.run(context -> {
            assertThat(context).hasSingleBean(SagaManager.class)
                .hasSingleBean(SagaRecoveryWorker.class)
                .hasSingleBean(SagaHealthIndicator.class)
                .doesNotHaveBean(SagaEndpoint.class)
                .doesNotHaveBean(FilterRegistrationBean.class);
            assertThat(database.jdbc().queryForList("SELECT version FROM reliant_saga_schema_history WHERE success",
                    String.class)).contains("0", "1");
        });
        assertThat(startupLines(output)).containsExactly("Reliant saga: saga log in the application's DataSource"
                + " (tables reliant_saga and reliant_saga_step, created and migrated by the starter; recovery worker"
                + " on)");
    }

    @Test
    void withoutADataSourceTheStartFailsAndSaysWhatToConfigure(CapturedOutput output) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SagaAutoConfiguration.class))
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .isInstanceOfSatisfying(SagaDataSourceMissingException.class,
                            failure -> assertThat(failure.getDataSources()).isEmpty())
                    .hasMessage("The saga starter keeps its saga log in the application's DataSource, but there is"
                            + " no DataSource bean.");
            });
        assertThat(startupLines(output)).isEmpty();
    }

    @Test
    void withSeveralDataSourcesAndNoPrimaryOneTheStartFails() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SagaAutoConfiguration.class))
            .withBean("orders", DataSource.class, () -> database.dataSource())
            .withBean("archive", DataSource.class, () -> database.dataSource())
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .isInstanceOfSatisfying(SagaDataSourceMissingException.class,
                            failure -> assertThat(failure.getDataSources()).containsExactly("orders", "archive"))
                    .hasMessageEndingWith("but there are 2 DataSource beans (orders, archive) and none of them is"
                            + " primary.");
            });
    }

    @Test
    void withoutADataSourceTheStartIsReportedAsAFailureAnalysis(CapturedOutput output) {
        SpringApplication application = new SpringApplication(NoDataSourceApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        assertThatException().isThrownBy(() -> application.run("--spring.main.banner-mode=off"))
            .isInstanceOf(SagaDataSourceMissingException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("The saga starter keeps its saga log in the application's DataSource, but there is no"
                    + " DataSource bean.")
            .contains("Configure a DataSource for the PostgreSQL database: add spring-boot-starter-jdbc")
            .contains("To run without sagas, set reliant.saga.enabled=false.");
    }

    @Test
    void switchedOffItNeedsNoDataSource() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SagaAutoConfiguration.class))
            .withPropertyValues("reliant.saga.enabled=false")
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
    void recoveryWorkerHealthAndSchemaCanBeSwitchedOff(CapturedOutput output) {
        runner
            .withPropertyValues("reliant.saga.recovery.enabled=false", "management.health.saga.enabled=false",
                    "reliant.saga.schema.create=false")
            .run(context -> assertThat(context).hasSingleBean(JdbcSagaLog.class)
                .doesNotHaveBean(SagaRecoveryWorker.class)
                .doesNotHaveBean(SagaHealthIndicator.class)
                .doesNotHaveBean(SagaSchemaInitializer.class));
        assertThat(startupLines(output)).containsExactly("Reliant saga: saga log in the application's DataSource"
                + " (tables reliant_saga and reliant_saga_step, left to the application (reliant.saga.schema.create="
                + "false); recovery worker off)");
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

    /** The starter's startup lines in the output, without the log's prefix. */
    private static List<String> startupLines(CapturedOutput output) {
        return output.getOut()
            .lines()
            .filter(line -> line.contains("Reliant saga: "))
            .map(line -> line.substring(line.indexOf("Reliant saga: ")))
            .toList();
    }

    /** As an application without spring-boot-starter-jdbc, for which Spring Boot defines no DataSource. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SagaAutoConfiguration.class)
    static class NoDataSourceApplication {

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
