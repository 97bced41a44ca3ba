package dev.reliant.outbox.autoconfigure;

import java.lang.Thread.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.NonRetryablePublishException;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxEvent;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.ParkedMessages;
import dev.reliant.outbox.actuate.OutboxEndpoint;
import dev.reliant.outbox.actuate.OutboxHealthIndicator;
import dev.reliant.outbox.amqp.RabbitOutboxPublisher;
import dev.reliant.outbox.cleanup.OutboxCleaner;
import dev.reliant.outbox.event.ApplicationEventOutboxPublisher;
import dev.reliant.outbox.kafka.KafkaOutboxPublisher;
import dev.reliant.outbox.metrics.OutboxMeters;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.schema.OutboxSchemaInitializer;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

@ExtendWith(OutputCaptureExtension.class)
class OutboxAutoConfigurationTests {

    private ApplicationContextRunner runner(TestPostgres.Schema schema) {
        return new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    OutboxAutoConfiguration.class, OutboxObservabilityAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.outbox.channel=outbox_" + schema.name(),
                    "reliant.outbox.relay.poll-interval=200ms");
    }

    @Test
    void relaysToApplicationEventsWhenNoBrokerIsPresent(CapturedOutput output) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withUserConfiguration(Listening.class).run((context) -> {
            assertThat(context).hasSingleBean(Outbox.class)
                .hasSingleBean(OutboxRelay.class)
                .hasSingleBean(ParkedMessages.class)
                .hasSingleBean(Inbox.class)
                .hasSingleBean(OutboxCleaner.class)
                .hasSingleBean(OutboxSchemaInitializer.class)
                .hasSingleBean(ApplicationEventOutboxPublisher.class);
            assertThat(context.getBean(OutboxRelay.class).isRunning()).isTrue();
            UUID id = write(context, "order-1");
            List<OutboxMessage> received = context.getBean(Listening.class).received;
            await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 1);
            assertThat(received.get(0).id()).isEqualTo(id);
            // an empty schema needs no baseline
            assertThat(jdbc(context).queryForList("SELECT version FROM reliant_outbox_schema_history ORDER BY 1",
                    String.class)).containsExactly("1", "2", "3");
        });
        assertThat(startupLines(output)).containsExactly("Reliant outbox: in-process publisher, Spring application"
                + " events in this JVM (no Kafka or RabbitMQ connection configured; set spring.kafka.bootstrap-servers"
                + " or spring.rabbitmq.host to publish to a broker)");
    }

    @Test
    void aCommitOfThisInstanceIsRelayedAtOnceWithoutWaitingForANotificationOrAPoll() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withUserConfiguration(Listening.class)
            .withPropertyValues("reliant.outbox.relay.listen=false", "reliant.outbox.relay.poll-interval=10m",
                    "reliant.outbox.relay.workers=2", "reliant.outbox.relay.hand-off=false")
            .run((context) -> {
                // both workers have looked once and now wait out the poll interval
                await().atMost(Duration.ofSeconds(30)).until(() -> OutboxFixture.relayWorkers().size() == 2
                        && OutboxFixture.relayWorkers().stream()
                            .allMatch((worker) -> worker.getState() == State.TIMED_WAITING));
                UUID id = write(context, "order-1");
                List<OutboxMessage> received = context.getBean(Listening.class).received;
                await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 1);
                assertThat(received.get(0).id()).isEqualTo(id);
            });
    }

    /**
     * A writer's message is leased to this instance's relay by the statement that writes it, which the writer's
     * own transaction sees, unless hand-overs are switched off or the relay runs a single worker.
     */
    @Test
    void theWritersHandTheirMessagesToThisInstancesRelayUnlessSwitchedOff() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        ApplicationContextRunner runner = runner(schema).withUserConfiguration(Listening.class);
        runner.run((context) -> assertThat(writtenLeased(context)).isTrue());
        runner.withPropertyValues("reliant.outbox.relay.hand-off=false")
            .run((context) -> assertThat(writtenLeased(context)).isFalse());
        runner.withPropertyValues("reliant.outbox.relay.workers=1")
            .run((context) -> assertThat(writtenLeased(context)).isFalse());
    }

    /** Writes a message and says whether it was leased when written; waits until it is delivered. */
    private static boolean writtenLeased(AssertableApplicationContext context) {
        OutboxRelay relay = context.getBean(OutboxRelay.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.isRunning() && (relay.holder() != null
                || context.getEnvironment().getProperty("reliant.outbox.relay.workers", "4").equals("1")));
        String key = "order-" + UUID.randomUUID();
        Boolean leased = context.getBean(TransactionTemplate.class).execute((status) -> {
            UUID id = context.getBean(Outbox.class).publish("orders", key, "order.created", Map.of("total", 1));
            return jdbc(context).queryForObject("SELECT claim_token IS NOT NULL FROM reliant_outbox WHERE id = ?",
                    Boolean.class, id);
        });
        List<OutboxMessage> received = context.getBean(Listening.class).received;
        await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch((m) -> m.key().equals(key)));
        return leased;
    }

    @Test
    void brokerClientsWithoutAConfiguredBrokerFailTheStartRatherThanLoseTheMessagesInProcess() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class)).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(OutboxBrokerNotConfiguredException.class)
                .hasMessageContaining("spring-kafka (a KafkaTemplate) is on the class path");
            FailureAnalysis analysis = new OutboxBrokerNotConfiguredFailureAnalyzer()
                .analyze(context.getStartupFailure());
            assertThat(analysis.getAction()).contains("spring.kafka.bootstrap-servers")
                .contains("reliant.outbox.publisher=in-process");
        });
    }

    @Test
    void brokerClientsWithTheInProcessPublisherNamedLeaveTheEventsInProcess(CapturedOutput output) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
                RabbitAutoConfiguration.class))
            .withPropertyValues("reliant.outbox.publisher=in-process")
            .run((context) -> {
                assertThat(context).as("Spring Boot's defaults, for localhost")
                    .hasSingleBean(KafkaTemplate.class)
                    .hasSingleBean(ConnectionFactory.class);
                assertThat(context).getBean(OutboxPublisher.class).isInstanceOf(ApplicationEventOutboxPublisher.class);
            });
        assertThat(startupLines(output)).singleElement().asString()
            .startsWith("Reliant outbox: in-process publisher, Spring application events in this JVM");
    }

    // The choice is made from the configuration alone: nothing is published, so no broker is contacted.
    @Test
    void kafkaIsChosenWhenItsBootstrapServersAreSet(CapturedOutput output) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
                RabbitAutoConfiguration.class))
            .withPropertyValues("spring.kafka.bootstrap-servers=kafka.invalid:9092",
                    "spring.rabbitmq.host=rabbit.invalid")
            .run((context) -> assertThat(context).hasSingleBean(KafkaOutboxPublisher.class));
        assertThat(startupLines(output))
            .containsExactly("Reliant outbox: Kafka publisher (spring.kafka.bootstrap-servers is set)");
    }

    @Test
    void rabbitIsChosenWhenItsHostIsSet(CapturedOutput output) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
                RabbitAutoConfiguration.class))
            .withPropertyValues("spring.rabbitmq.host=rabbit.invalid")
            .run((context) -> assertThat(context).hasSingleBean(RabbitOutboxPublisher.class));
        assertThat(startupLines(output))
            .containsExactly("Reliant outbox: RabbitMQ publisher (spring.rabbitmq.host is set)");
    }

    @Test
    void aPublisherNamedExplicitlyIsUsedWithSpringBootsDefaultConnection(CapturedOutput output) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class))
            .withPropertyValues("reliant.outbox.publisher=kafka", "reliant.outbox.relay.enabled=false")
            .run((context) -> assertThat(context).hasSingleBean(KafkaOutboxPublisher.class));
        assertThat(startupLines(output)).containsExactly("Reliant outbox: Kafka publisher (reliant.outbox.publisher=kafka);"
                + " no relay on this instance (reliant.outbox.relay.enabled=false)");
    }

    @Test
    void withoutADataSourceTheStartFailsAndSaysWhatToConfigure(CapturedOutput output) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
            .run((context) -> {
                assertThat(context).hasFailed();
                FailureAnalysis analysis = new OutboxDataSourceMissingFailureAnalyzer()
                    .analyze(context.getStartupFailure());
                assertThat(analysis.getDescription()).isEqualTo("The outbox writes its messages in the application's"
                        + " PostgreSQL database, in the transaction of the change they describe, but there is no"
                        + " DataSource bean.");
                assertThat(analysis.getAction()).contains("set spring.datasource.url")
                    .contains("reliant.outbox.enabled=false");
            });
        assertThat(startupLines(output)).isEmpty();
    }

    @Test
    void withoutADataSourceTheStartIsReportedAsAFailureAnalysis(CapturedOutput output) {
        SpringApplication application = new SpringApplication(NoDataSourceApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        assertThatException().isThrownBy(() -> application.run("--spring.main.banner-mode=off"))
            .isInstanceOf(OutboxDataSourceMissingException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("but there is no DataSource bean.")
            .contains("Configure a DataSource for the PostgreSQL database");
    }

    @Test
    void switchedOffItNeedsNoDataSource() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
            .withPropertyValues("reliant.outbox.enabled=false")
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(Outbox.class));
    }

    @Test
    void backsOffForTheApplicationsOwnBeans() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withUserConfiguration(OwnBeans.class).run((context) -> {
            assertThat(context).getBean(Outbox.class).isSameAs(context.getBean(OwnBeans.class).outbox);
            assertThat(context).getBean(OutboxPublisher.class).isSameAs(OwnBeans.PUBLISHER);
            assertThat(context).doesNotHaveBean(ApplicationEventOutboxPublisher.class);
        });
    }

    @Test
    void canBeSwitchedOffWholeOrInParts() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withPropertyValues("reliant.outbox.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(Outbox.class).doesNotHaveBean(OutboxRelay.class));
        runner(schema).withPropertyValues("reliant.outbox.relay.enabled=false", "reliant.outbox.cleanup.enabled=false")
            .run((context) -> assertThat(context).hasSingleBean(Outbox.class)
                .doesNotHaveBean(OutboxRelay.class)
                .doesNotHaveBean(OutboxCleaner.class));
    }

    @Test
    void leavesTheDdlToTheTeamWhenSchemaCreationIsOff() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withPropertyValues("reliant.outbox.schema.create=false", "reliant.outbox.relay.enabled=false")
            .run((context) -> {
                assertThat(context).hasNotFailed().doesNotHaveBean(OutboxSchemaInitializer.class);
                assertThat(jdbc(context).queryForObject(
                        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ?", Long.class,
                        schema.name())).isZero();
            });
    }

    @Test
    void usesTheConfiguredSchemaAndTableNames() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        String own = schema.name() + "_outbox";
        runner(schema).withPropertyValues("reliant.outbox.schema.name=" + own, "reliant.outbox.table=events",
                "reliant.outbox.inbox.table=processed").run((context) -> {
                    UUID id = write(context, "order-1");
                    await().atMost(Duration.ofSeconds(60)).until(() -> "PUBLISHED".equals(jdbc(context)
                        .queryForObject("SELECT status FROM " + own + ".events WHERE id = ?", String.class, id)));
                    assertThat(jdbc(context).queryForObject("SELECT count(*) FROM " + own + ".processed",
                            Long.class)).isZero();
                    jdbc(context).execute("DROP SCHEMA " + own + " CASCADE");
                });
    }

    @Test
    void runsBesideTheApplicationsOwnFlywayMigrations() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
            .withPropertyValues("spring.flyway.locations=classpath:db/app-migration")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                JdbcTemplate jdbc = jdbc(context);
                assertThat(jdbc.queryForList("SELECT version FROM flyway_schema_history ORDER BY installed_rank",
                        String.class)).containsExactly("1", "2");
                assertThat(jdbc.queryForList(
                        "SELECT version FROM reliant_outbox_schema_history ORDER BY installed_rank", String.class))
                    .containsExactly("0", "1", "2", "3");
                assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Long.class)).isZero();
                write(context, "order-1");
            });
        // a second start finds both histories up to date
        runner(schema).withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
            .withPropertyValues("spring.flyway.locations=classpath:db/app-migration")
            .run((context) -> assertThat(context).hasNotFailed());
    }

    @Test
    void countsMeasuresAndReportsParkedMessages() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
            .withUserConfiguration(PoisonPublisher.class)
            .withPropertyValues("management.endpoints.web.exposure.include=outbox",
                    "reliant.outbox.metrics.refresh-interval=0s")
            .run((context) -> {
                assertThat(context).hasSingleBean(OutboxMeters.class)
                    .hasSingleBean(OutboxHealthIndicator.class)
                    .hasSingleBean(OutboxEndpoint.class);
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                write(context, "fine");
                UUID poison = context.getBean(TransactionTemplate.class)
                    .execute((status) -> context.getBean(Outbox.class)
                        .publish(OutboxEvent.of("orders", "bad", "poison", Map.of())));
                await().atMost(Duration.ofSeconds(60))
                    .until(() -> registry.counter("reliant.outbox.parked").count() == 1);
                assertThat(registry.counter("reliant.outbox.published").count()).isOne();
                assertThat(registry.timer("reliant.outbox.publish.latency").count()).isOne();
                assertThat(registry.get("reliant.outbox.parked.messages").gauge().value()).isOne();
                assertThat(registry.get("reliant.outbox.pending").gauge().value()).isZero();

                OutboxHealthIndicator health = context.getBean(OutboxHealthIndicator.class);
                assertThat(health.health(true).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

                OutboxEndpoint endpoint = context.getBean(OutboxEndpoint.class);
                assertThat(endpoint.report().parkedMessages()).extracting("id").containsExactly(poison);
                assertThat(endpoint.discard(poison.toString()).result()).isEqualTo("discarded");
                assertThat(endpoint.replay(poison.toString()).result()).isEqualTo("not-parked");
                assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
            });
    }

    @Test
    void reportsDownWhenTheOldestPendingMessageIsTooOld() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner(schema).withPropertyValues("reliant.outbox.relay.enabled=false", "reliant.outbox.health.max-lag=1h")
            .run((context) -> {
                UUID id = write(context, "stuck");
                OutboxHealthIndicator health = context.getBean(OutboxHealthIndicator.class);
                assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
                jdbc(context).update(
                        "UPDATE reliant_outbox SET created_at = now() - interval '2 hours' WHERE id = ?", id);
                assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
            });
    }

    /** The starter's startup lines in the output, without the log's prefix. */
    private static List<String> startupLines(CapturedOutput output) {
        return output.getOut()
            .lines()
            .filter((line) -> line.contains("Reliant outbox: "))
            .map((line) -> line.substring(line.indexOf("Reliant outbox: ")))
            .toList();
    }

    private static UUID write(AssertableApplicationContext context, String key) {
        return context.getBean(TransactionTemplate.class)
            .execute((status) -> context.getBean(Outbox.class).publish("orders", key, "order.created",
                    Map.of("total", 1)));
    }

    private static JdbcTemplate jdbc(AssertableApplicationContext context) {
        return new JdbcTemplate(context.getBean(DataSource.class));
    }

    /** As an application without spring-boot-starter-jdbc, for which Spring Boot defines no DataSource. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(OutboxAutoConfiguration.class)
    static class NoDataSourceApplication {
    }

    @Configuration(proxyBeanMethods = false)
    static class Listening {

        final List<OutboxMessage> received = new CopyOnWriteArrayList<>();

        @EventListener
        void on(OutboxMessage message) {
            received.add(message);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {

        static final OutboxPublisher PUBLISHER = (message) -> CompletableFuture.completedFuture(null);

        final Outbox outbox = (event) -> UUID.randomUUID();

        @Bean
        Outbox myOutbox() {
            return outbox;
        }

        @Bean
        OutboxPublisher myPublisher() {
            return PUBLISHER;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PoisonPublisher {

        @Bean
        OutboxPublisher poisonRejectingPublisher() {
            return (message) -> "poison".equals(message.type())
                    ? CompletableFuture.failedFuture(new NonRetryablePublishException("rejected"))
                    : CompletableFuture.completedFuture(null);
        }
    }
}
