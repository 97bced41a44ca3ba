package dev.reliant.outbox.amqp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.autoconfigure.OutboxAutoConfiguration;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.RequiresRabbit;
import dev.reliant.testsupport.TcpProxy;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRabbit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@RequiresRabbit
class RabbitOutboxTests {

    TestRabbit.Server server;

    CachingConnectionFactory admin;

    String exchange;

    String queue;

    @BeforeEach
    void setUp() {
        server = TestRabbit.server();
        admin = connectionFactory(server.port());
        exchange = TestRabbit.newName("outbox");
        queue = TestRabbit.newName("outbox-consumer");
        RabbitAdmin rabbitAdmin = new RabbitAdmin(admin);
        TopicExchange topic = new TopicExchange(exchange, false, false);
        Queue consumerQueue = new Queue(queue, false, false, false);
        rabbitAdmin.declareExchange(topic);
        rabbitAdmin.declareQueue(consumerQueue);
        rabbitAdmin.declareBinding(BindingBuilder.bind(consumerQueue).to(topic).with("#"));
    }

    @AfterEach
    void tearDown() {
        RabbitAdmin rabbitAdmin = new RabbitAdmin(admin);
        rabbitAdmin.deleteQueue(queue);
        rabbitAdmin.deleteExchange(exchange);
        admin.destroy();
    }

    @Test
    void publishesConfirmedPersistentMessagesWithIdTypeAndKeyOrder() {
        try (OutboxFixture fixture = new OutboxFixture()) {
            RabbitOutboxPublisher publisher = new RabbitOutboxPublisher(admin, RabbitRoutingKey.KEY);
            fixture.relay(publisher).start();
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ids.add(fixture.write(exchange, "key-" + (i % 3), Map.of("n", i)));
            }
            List<Message> received = receive(30);
            assertThat(received).extracting((m) -> UUID.fromString(m.getMessageProperties().getMessageId()))
                .containsExactlyInAnyOrderElementsOf(ids);
            for (int k = 0; k < 3; k++) {
                String key = "key-" + k;
                List<UUID> expected = new ArrayList<>();
                for (int i = k; i < 30; i += 3) {
                    expected.add(ids.get(i));
                }
                assertThat(received.stream()
                    .filter((m) -> key.equals(m.getMessageProperties().getReceivedRoutingKey()))
                    .map((m) -> UUID.fromString(m.getMessageProperties().getMessageId()))).containsExactlyElementsOf(expected);
            }
            Message first = received.stream()
                .filter((m) -> m.getMessageProperties().getMessageId().equals(ids.get(0).toString()))
                .findFirst()
                .orElseThrow();
            assertThat(first.getMessageProperties().getType()).isEqualTo("test.event");
            assertThat(first.getMessageProperties().getReceivedRoutingKey()).isEqualTo("key-0");
            assertThat(first.getMessageProperties().<String>getHeader(OutboxHeaders.MESSAGE_ID))
                .isEqualTo(ids.get(0).toString());
            assertThat(new String(first.getBody())).isEqualTo("{\"n\":0}");
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.count("status = 'PUBLISHED'") == 30);
        }
    }

    /** The broker confirms a burst with a few acknowledgements each covering many messages: each one completes. */
    @Test
    void everyMessageOfABurstIsCompletedByTheConfirmThatCoversIt() {
        RabbitOutboxPublisher publisher = new RabbitOutboxPublisher(admin, RabbitRoutingKey.KEY);
        try {
            List<OutboxMessage> burst = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                burst.add(new OutboxMessage(UUID.randomUUID(), exchange, "key-" + (i % 7), "test.event",
                        "{\"n\":" + i + "}", Map.of(), 0));
            }
            List<CompletableFuture<Void>> sent = publisher.publishAll(burst);
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
            assertThat(sent).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
            assertThat(receive(2000)).extracting((m) -> m.getMessageProperties().getMessageId())
                .containsExactlyInAnyOrderElementsOf(burst.stream().map((m) -> m.id().toString()).toList());
        }
        finally {
            publisher.destroy();
        }
    }

    /** A queue that is full and rejects publishes makes the broker refuse (nack) the message: it is not sent. */
    @Test
    void aMessageTheBrokerRefusesFails() {
        String full = TestRabbit.newName("full");
        String refusing = TestRabbit.newName("refusing");
        RabbitAdmin rabbitAdmin = new RabbitAdmin(admin);
        TopicExchange declared = new TopicExchange(refusing, false, true);
        rabbitAdmin.declareExchange(declared);
        Queue queue = new Queue(full, false, false, true, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        rabbitAdmin.declareQueue(queue);
        rabbitAdmin.declareBinding(BindingBuilder.bind(queue).to(declared).with("#"));
        RabbitOutboxPublisher publisher = new RabbitOutboxPublisher(admin, RabbitRoutingKey.KEY);
        try {
            List<CompletableFuture<Void>> sent = publisher.publishAll(List.of(
                    new OutboxMessage(UUID.randomUUID(), refusing, "k", "test.event", "{}", Map.of(), 0),
                    new OutboxMessage(UUID.randomUUID(), refusing, "k", "test.event", "{}", Map.of(), 0)));
            assertThat(sent.get(0)).succeedsWithin(Duration.ofSeconds(30));
            assertThat(sent.get(1)).failsWithin(Duration.ofSeconds(30))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(IllegalStateException.class)
                .withMessageContaining("did not confirm");
        }
        finally {
            publisher.destroy();
            rabbitAdmin.deleteExchange(refusing);
            rabbitAdmin.deleteQueue(full);
        }
    }

    /** A factory that caches connections lends each channel one; a channel the broker closed gives it back. */
    @Test
    void aChannelTheBrokerClosedGivesItsConnectionBackToAFactoryThatCachesConnections() {
        CachingConnectionFactory connections = connectionFactory(server.port());
        connections.setCacheMode(CachingConnectionFactory.CacheMode.CONNECTION);
        RabbitOutboxPublisher publisher = new RabbitOutboxPublisher(connections, RabbitRoutingKey.KEY);
        try {
            for (int i = 0; i < 10; i++) {
                // publishing to an exchange that does not exist makes the broker close the channel
                assertThat(publisher.publish(new OutboxMessage(UUID.randomUUID(), TestRabbit.newName("missing"), "k",
                        "test.event", "{}", Map.of(), 0))).failsWithin(Duration.ofSeconds(30));
            }
            assertThat(connections.getCacheProperties().getProperty("openConnections")).isEqualTo("1");
        }
        finally {
            publisher.destroy();
            connections.destroy();
        }
    }

    @Test
    void anUnroutableMessageIsParkedAtOnce() {
        String nowhere = TestRabbit.newName("unbound");
        new RabbitAdmin(admin).declareExchange(new TopicExchange(nowhere, false, true));
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.relay(new RabbitOutboxPublisher(admin, RabbitRoutingKey.KEY)).start();
            UUID id = fixture.write(nowhere, "k", Map.of("n", 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> "PARKED".equals(fixture.status(id)));
            assertThat(fixture.parked.list(1).get(0).lastError()).contains("unroutable").contains("312");
            assertThat(fixture.parked.list(1).get(0).attempts()).isOne();
        }
        finally {
            new RabbitAdmin(admin).deleteExchange(nowhere);
        }
    }

    @Test
    void aMessageToAnExchangeNobodyDeclaredYetIsRetriedAndSentOnceItExists() {
        String missing = TestRabbit.newName("undeclared");
        RabbitAdmin rabbitAdmin = new RabbitAdmin(admin);
        try (OutboxFixture fixture = new OutboxFixture()) {
            fixture.relay(new RabbitOutboxPublisher(admin, RabbitRoutingKey.KEY)).start();
            UUID id = fixture.write(missing, "k", Map.of("n", 1));
            await().atMost(Duration.ofSeconds(60))
                .until(() -> fixture.count("id = '" + id + "' AND attempts >= 1 AND status = 'PENDING'") == 1);

            TopicExchange declared = new TopicExchange(missing, false, true);
            rabbitAdmin.declareExchange(declared);
            rabbitAdmin.declareBinding(BindingBuilder.bind(new Queue(queue, false, false, false)).to(declared)
                .with("#"));
            await().atMost(Duration.ofSeconds(60)).until(() -> "PUBLISHED".equals(fixture.status(id)));
            assertThat(receive(1)).extracting((m) -> m.getMessageProperties().getMessageId())
                .containsExactly(id.toString());
        }
        finally {
            rabbitAdmin.deleteExchange(missing);
        }
    }

    @Test
    void aRefusedConnectionUnderLoadLosesNothingParksNothingAndDrainsAfterRecovery() {
        try (OutboxFixture fixture = new OutboxFixture(); TcpProxy proxy = TcpProxy.start(server.host(), server.port())) {
            CachingConnectionFactory throughProxy = connectionFactory(proxy.port());
            try {
                proxy.cut();
                fixture.relay(new RabbitOutboxPublisher(throughProxy, RabbitRoutingKey.KEY))
                    .pollInterval(Duration.ofMillis(100))
                    .start();
                long outageStarted = System.nanoTime();
                Set<UUID> ids = new HashSet<>();
                for (int i = 0; i < 500; i++) {
                    ids.add(fixture.write(exchange, "key-" + (i % 50), Map.of("n", i)));
                }
                await().atMost(Duration.ofSeconds(60))
                    .until(() -> fixture.count("attempts >= 2 AND status = 'PENDING'") >= 50);
                proxy.restore();
                long outageSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStarted);

                List<Message> received = receive(500);
                Set<UUID> delivered = new HashSet<>();
                Map<String, Integer> lastPerKey = new HashMap<>();
                for (Message message : received) {
                    delivered.add(UUID.fromString(message.getMessageProperties().getMessageId()));
                    int n = Integer.parseInt(new String(message.getBody()).replaceAll("\\D", ""));
                    Integer previous = lastPerKey.put(message.getMessageProperties().getReceivedRoutingKey(), n);
                    assertThat(previous == null || previous < n).isTrue();
                }
                assertThat(delivered).isEqualTo(ids);
                await().atMost(Duration.ofSeconds(60)).until(() -> fixture.count("status = 'PUBLISHED'") == 500);
                assertThat(fixture.parked.count()).isZero();
                // backoff from 50 ms, capped at 1 s: a few attempts, then about one a second at most
                assertThat(fixture.jdbc.queryForObject("SELECT max(attempts) FROM reliant_outbox", Integer.class))
                    .isLessThanOrEqualTo((int) (6 + 2 * outageSeconds));
            }
            finally {
                throughProxy.destroy();
            }
        }
    }

    /** The publisher confirms on a channel of its own: the application's factory may have them on or off. */
    @Test
    void theAutoConfigurationPicksRabbitAndPublishesConfirmedWhateverTheApplicationsConfirmSettings() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    RabbitAutoConfiguration.class, OutboxAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues(server.springProperties())
            .withPropertyValues("reliant.outbox.channel=outbox_" + schema.name());
        List<String[]> settings = List.of(new String[0],
                new String[] { "spring.rabbitmq.publisher-confirm-type=correlated",
                        "spring.rabbitmq.publisher-returns=true" },
                new String[] { "spring.rabbitmq.publisher-confirm-type=simple" });
        for (String[] setting : settings) {
            runner.withPropertyValues(setting).run((context) -> {
                assertThat(context).hasSingleBean(RabbitOutboxPublisher.class);
                UUID id = context.getBean(TransactionTemplate.class)
                    .execute((status) -> context.getBean(Outbox.class)
                        .publish(exchange, "order-1", "order.created", Map.of("total", 1)));
                List<Message> received = receive(1);
                assertThat(received.get(0).getMessageProperties().getMessageId()).isEqualTo(id.toString());
                JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
                await().atMost(Duration.ofSeconds(60))
                    .until(() -> jdbc.queryForObject("SELECT status FROM reliant_outbox WHERE id = ?", String.class,
                            id), "PUBLISHED"::equals);
            });
        }
    }

    private List<Message> receive(int count) {
        RabbitTemplate consumer = new RabbitTemplate(admin);
        List<Message> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            Message message;
            while ((message = consumer.receive(queue, 100)) != null) {
                received.add(message);
            }
            return received.size() >= count;
        });
        return received;
    }

    private CachingConnectionFactory connectionFactory(int port) {
        CachingConnectionFactory factory = new CachingConnectionFactory(server.host(), port);
        factory.setUsername(server.username());
        factory.setPassword(server.password());
        return factory;
    }
}
