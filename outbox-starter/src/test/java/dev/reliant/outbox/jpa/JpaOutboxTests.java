package dev.reliant.outbox.jpa;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxTransactionRequiredException;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The outbox and the inbox in a Spring Data JPA application: Hibernate's transactions (same {@code DataSource}),
 * domain events registered on aggregates, and events published with {@link ApplicationEventPublisher}.
 */
class JpaOutboxTests {

    private static TestPostgres.Schema schema;

    private static ConfigurableApplicationContext context;

    private static TransactionTemplate transactions;

    private static PurchaseOrders orders;

    private static JdbcTemplate jdbc;

    @BeforeAll
    static void start() {
        schema = TestPostgres.newSchema();
        context = new SpringApplicationBuilder(JpaApplication.class).web(WebApplicationType.NONE)
            .properties(schema.springProperties())
            .properties("spring.jpa.hibernate.ddl-auto=create", "spring.jpa.open-in-view=false",
                    "reliant.outbox.publisher=in-process", "reliant.outbox.channel=outbox_" + schema.name(),
                    "reliant.outbox.relay.poll-interval=200ms", "spring.application.name=jpa-tests")
            .run();
        PlatformTransactionManager manager = context.getBean(PlatformTransactionManager.class);
        assertThat(manager).isInstanceOf(JpaTransactionManager.class);
        transactions = new TransactionTemplate(manager);
        orders = context.getBean(PurchaseOrders.class);
        jdbc = context.getBean(JdbcTemplate.class);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void aggregatesDomainEventsCommitWithItAndAreRelayed() {
        String reference = UUID.randomUUID().toString();
        PurchaseOrder order = transactions.execute((status) -> orders.save(PurchaseOrder.place(reference, 1500)));

        assertThat(orders.findById(order.id())).isPresent();
        OutboxMessage relayed = awaitRelayed(order.id().toString());
        assertThat(relayed.destination()).isEqualTo("orders");
        assertThat(relayed.type()).isEqualTo("OrderPlaced");
        assertThat(relayed.payload()).contains("\"reference\":\"" + reference + "\"")
            .contains("\"amountCents\":1500");
    }

    @Test
    void rollbackRemovesTheEntityAndItsEvent() {
        String reference = UUID.randomUUID().toString();
        assertThatThrownBy(() -> transactions.executeWithoutResult((status) -> {
            orders.save(PurchaseOrder.place(reference, 700));
            throw new IllegalStateException("payment declined");
        })).hasMessage("payment declined");

        assertThat(ordersWithReference(reference)).isZero();
        assertThat(messagesMentioning(reference)).isZero();
    }

    @Test
    void eventOfAnInsertThatFailsAtTheDeferredFlushIsRolledBackWithIt() {
        String reference = UUID.randomUUID().toString();
        transactions.executeWithoutResult((status) -> orders.save(PurchaseOrder.place(reference, 100)));
        PurchaseOrder duplicate = PurchaseOrder.place(reference, 200);

        // save() returns before Hibernate inserts; the message is written at once, the insert fails at commit.
        assertThatThrownBy(() -> transactions.executeWithoutResult((status) -> orders.save(duplicate)))
            .isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);

        assertThat(ordersWithReference(reference)).isOne();
        assertThat(messagesMentioning(duplicate.id().toString())).isZero();
    }

    @Test
    void eventsPublishedWithTheApplicationEventPublisherGoToTheOutbox() {
        ApplicationEventPublisher publisher = context;
        String orderId = UUID.randomUUID().toString();
        transactions.executeWithoutResult((status) -> publisher.publishEvent(new OrderPlaced(orderId, "r", 1)));
        assertThat(awaitRelayed(orderId).key()).isEqualTo(orderId);

        assertThatThrownBy(() -> publisher.publishEvent(new OrderPlaced(UUID.randomUUID().toString(), "r", 1)))
            .as("outside a transaction the event would be lost on a crash")
            .isInstanceOf(OutboxTransactionRequiredException.class);
    }

    @Test
    void outboxWritesJoinTheJpaTransaction() {
        Outbox outbox = context.getBean(Outbox.class);
        String reference = UUID.randomUUID().toString();
        assertThatThrownBy(() -> transactions.executeWithoutResult((status) -> {
            orders.save(PurchaseOrder.place(reference + "-a", 1));
            outbox.publish("audit", reference, "Audited", reference);
            orders.flush();
            throw new IllegalStateException("late failure");
        })).hasMessage("late failure");
        assertThat(messagesMentioning(reference)).isZero();
        assertThat(ordersWithReference(reference + "-a")).isZero();
    }

    @Test
    void inboxRecordsCommitWithTheHandlersEntitiesOnly() {
        Inbox inbox = context.getBean(Inbox.class);
        String messageId = UUID.randomUUID().toString();
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> inbox.process(messageId, () -> {
            runs.incrementAndGet();
            orders.save(PurchaseOrder.place(messageId, 5));
            orders.flush();
            throw new IllegalStateException("handler failed");
        })).hasMessage("handler failed");
        assertThat(ordersWithReference(messageId)).isZero();

        assertThat(inbox.process(messageId, () -> {
            runs.incrementAndGet();
            orders.save(PurchaseOrder.place(messageId, 5));
        })).as("the redelivery runs, since the failed attempt left no record").isTrue();
        assertThat(inbox.process(messageId, runs::incrementAndGet)).isFalse();
        assertThat(runs).hasValue(2);
        assertThat(ordersWithReference(messageId)).isOne();
    }

    private static OutboxMessage awaitRelayed(String key) {
        JpaApplication application = context.getBean(JpaApplication.class);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> application.relayed.stream().anyMatch(message -> message.key().equals(key)));
        return application.relayed.stream().filter(message -> message.key().equals(key)).findFirst().orElseThrow();
    }

    private static int ordersWithReference(String reference) {
        return jdbc.queryForObject("SELECT count(*) FROM purchase_order WHERE reference = ?", Integer.class,
                reference);
    }

    private static int messagesMentioning(String text) {
        return jdbc.queryForObject("SELECT count(*) FROM reliant_outbox WHERE message_key = ? OR payload::text LIKE ?",
                Integer.class, text, "%" + text + "%");
    }
}
