package dev.reliant.outbox.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.testsupport.TestPostgres;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.event.EventListener;
import org.springframework.transaction.support.TransactionTemplate;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A relayed batch, each publication inside it, and each message the inbox processes are observations, so that
 * Boot's tracing makes spans of them.
 */
class OutboxObservationTests {

    @Test
    void relayBatchesPublicationsAndInboxProcessingAreObserved() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    OutboxAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.outbox.channel=outbox_" + schema.name(),
                    "reliant.outbox.relay.poll-interval=200ms")
            .withBean(ObservationRegistry.class, TestObservationRegistry::create)
            .withUserConfiguration(Received.class)
            .run((context) -> {
                String key = UUID.randomUUID().toString();
                UUID id = context.getBean(TransactionTemplate.class)
                    .execute((status) -> context.getBean(Outbox.class).publish("orders", key, "order.created",
                            Map.of("total", 1)));
                List<OutboxMessage> received = context.getBean(Received.class).messages;
                await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 1);
                Inbox inbox = context.getBean(Inbox.class);
                inbox.process("billing", id.toString(), () -> { });
                inbox.process("billing", id.toString(), () -> { });

                TestObservationRegistry observations = (TestObservationRegistry) context
                    .getBean(ObservationRegistry.class);
                Predicate<Observation.ContextView> insideARelayBatch = (parent) -> parent.getName()
                    .equals("reliant.outbox.relay");
                await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(observations).hasAnObservation((observation) -> observation
                        .hasNameEqualTo("reliant.outbox.publish")
                        .hasContextualNameEqualTo("outbox publish orders")
                        .hasLowCardinalityKeyValue("destination", "orders")
                        .hasLowCardinalityKeyValue("type", "order.created")
                        .hasHighCardinalityKeyValue("message.id", id.toString())
                        .hasParentObservationContextMatching(insideARelayBatch)));
                assertThat(observations).hasAnObservation((observation) -> observation
                    .hasNameEqualTo("reliant.inbox.process")
                    .hasLowCardinalityKeyValue("consumer", "billing")
                    .hasLowCardinalityKeyValue("outcome", "processed"))
                    .hasAnObservation((observation) -> observation.hasNameEqualTo("reliant.inbox.process")
                        .hasLowCardinalityKeyValue("outcome", "duplicate"));
            });
    }

    static class Received {

        final List<OutboxMessage> messages = new CopyOnWriteArrayList<>();

        @EventListener
        void on(OutboxMessage message) {
            messages.add(message);
        }
    }
}
