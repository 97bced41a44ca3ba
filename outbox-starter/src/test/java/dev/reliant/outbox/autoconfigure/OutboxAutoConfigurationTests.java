package dev.reliant.outbox.autoconfigure;

import java.time.Duration;
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
import dev.reliant.outbox.cleanup.OutboxCleaner;
import dev.reliant.outbox.event.ApplicationEventOutboxPublisher;
import dev.reliant.outbox.metrics.OutboxMeters;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.schema.OutboxSchemaInitializer;
import dev.reliant.testsupport.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
    void relaysToApplicationEventsWhenNoBrokerIsPresent() {
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
                    String.class)).containsExactly("1", "2");
        });
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
                    .containsExactly("0", "1", "2");
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

    private static UUID write(AssertableApplicationContext context, String key) {
        return context.getBean(TransactionTemplate.class)
            .execute((status) -> context.getBean(Outbox.class).publish("orders", key, "order.created",
                    Map.of("total", 1)));
    }

    private static JdbcTemplate jdbc(AssertableApplicationContext context) {
        return new JdbcTemplate(context.getBean(DataSource.class));
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
