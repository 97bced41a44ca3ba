package dev.reliant.outbox.autoconfigure;

import javax.sql.DataSource;

import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxHeaderContributor;
import dev.reliant.outbox.externalize.ExternalizedEventListener;
import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.ParkedMessages;
import dev.reliant.outbox.cleanup.OutboxCleaner;
import dev.reliant.outbox.inbox.IdempotentConsumerInterceptor;
import dev.reliant.outbox.inbox.IdempotentConsumerPostProcessor;
import dev.reliant.outbox.inbox.JdbcInbox;
import dev.reliant.outbox.inbox.MessageIdResolvers;
import dev.reliant.outbox.jdbc.CommitHandOff;
import dev.reliant.outbox.jdbc.CommitNotifier;
import dev.reliant.outbox.jdbc.JdbcOutbox;
import dev.reliant.outbox.jdbc.JdbcParkedMessages;
import dev.reliant.outbox.jdbc.OutboxBacklog;
import dev.reliant.outbox.jdbc.OutboxTables;
import dev.reliant.outbox.jdbc.RelayInstances;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.relay.NotificationWaiter;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.relay.RelayObserver;
import dev.reliant.outbox.relay.RelaySettings;
import dev.reliant.outbox.relay.RetryPolicy;
import dev.reliant.outbox.schema.OutboxSchemaInitializer;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.ClassUtils;

/**
 * The transactional outbox on the application's PostgreSQL {@link DataSource}: the {@link Outbox} writer, the
 * relay, the inbox, parked-message operations and cleanup. The publisher comes from
 * {@link OutboxPublisherConfigurations}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(DataSource.class)
@Import({ OutboxPublisherConfigurations.Kafka.class, OutboxPublisherConfigurations.Rabbit.class,
        OutboxPublisherConfigurations.InProcess.class })
class OutboxConfiguration {

    private static final String KAFKA_TEMPLATE = "org.springframework.kafka.core.KafkaTemplate";

    private static final String RABBIT_TEMPLATE = "org.springframework.amqp.rabbit.core.RabbitTemplate";

    private final OutboxProperties properties;

    OutboxConfiguration(OutboxProperties properties) {
        this.properties = properties;
    }

    @Bean
    @ConditionalOnMissingBean
    OutboxTables outboxTables() {
        return new OutboxTables(properties.getSchema().getName(), properties.getTable(),
                properties.getInbox().getTable(), properties.getChannel());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "reliant.outbox.schema.create", matchIfMissing = true)
    OutboxSchemaInitializer outboxSchemaInitializer(DataSource dataSource, OutboxTables tables) {
        return new OutboxSchemaInitializer(dataSource, tables);
    }

    @Bean
    @ConditionalOnMissingBean
    CommitNotifier outboxCommitNotifier(DataSource dataSource, OutboxTables tables) {
        return new CommitNotifier(new JdbcTemplate(dataSource), tables.channel(), properties.getNotifyInterval());
    }

    @Bean
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    Outbox outbox(DataSource dataSource, OutboxTables tables, ObjectProvider<JsonMapper> jsonMapper,
            ObjectProvider<OutboxHeaderContributor> contributors, CommitNotifier commitNotifier,
            ObjectProvider<OutboxRelay> relay) {
        CommitHandOff handOff = properties.getRelay().isHandOff() ? relay.getIfUnique() : null;
        return new JdbcOutbox(new JdbcTemplate(dataSource), tables, jsonMapper.getIfAvailable(JsonMapper::new),
                contributors.orderedStream().toList(), commitNotifier, handOff);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "reliant.outbox.externalize.enabled", matchIfMissing = true)
    ExternalizedEventListener outboxExternalizedEventListener(Outbox outbox) {
        return new ExternalizedEventListener(outbox);
    }

    @Bean
    @ConditionalOnMissingBean
    ParkedMessages outboxParkedMessages(DataSource dataSource, OutboxTables tables) {
        return new JdbcParkedMessages(new JdbcTemplate(dataSource), ownTransactions(dataSource), tables);
    }

    @Bean
    @ConditionalOnMissingBean
    OutboxBacklog outboxBacklog(DataSource dataSource, OutboxTables tables) {
        return new OutboxBacklog(new JdbcTemplate(dataSource), tables);
    }

    @Bean
    @ConditionalOnMissingBean
    Inbox outboxInbox(DataSource dataSource, OutboxTables tables,
            ObjectProvider<PlatformTransactionManager> transactionManager, Environment environment,
            ObjectProvider<ObservationRegistry> observations) {
        PlatformTransactionManager manager = transactionManager
            .getIfUnique(() -> new DataSourceTransactionManager(dataSource));
        return new JdbcInbox(new JdbcTemplate(dataSource), new TransactionTemplate(manager), tables,
                defaultConsumer(environment), observations.getIfUnique(() -> ObservationRegistry.NOOP));
    }

    @Bean
    @ConditionalOnMissingBean
    static IdempotentConsumerPostProcessor idempotentConsumerPostProcessor(ObjectProvider<Inbox> inbox,
            Environment environment) {
        ClassLoader classLoader = OutboxConfiguration.class.getClassLoader();
        return new IdempotentConsumerPostProcessor(new IdempotentConsumerInterceptor(inbox::getObject,
                defaultConsumer(environment), MessageIdResolvers.available(classLoader)));
    }

    /** {@code reliant.outbox.inbox.consumer}, else the application's name. */
    private static String defaultConsumer(Environment environment) {
        String consumer = environment.getProperty("reliant.outbox.inbox.consumer");
        return (consumer != null && !consumer.isBlank()) ? consumer
                : environment.getProperty("spring.application.name", "application");
    }

    @Bean
    OutboxPublisherReport outboxPublisherReport(ObjectProvider<OutboxPublisher> publisher,
            ConfigurableListableBeanFactory beanFactory, Environment environment) {
        ClassLoader classLoader = beanFactory.getBeanClassLoader();
        return new OutboxPublisherReport(publisher, properties,
                new OutboxPublisherReport.Broker("Kafka", "spring.kafka.bootstrap-servers", "KafkaTemplate",
                        ClassUtils.isPresent(KAFKA_TEMPLATE, classLoader),
                        ConfiguredConnection.KAFKA.reason(beanFactory, environment)),
                new OutboxPublisherReport.Broker("RabbitMQ", "spring.rabbitmq.host", "RabbitMQ ConnectionFactory",
                        ClassUtils.isPresent(RABBIT_TEMPLATE, classLoader),
                        ConfiguredConnection.RABBIT.reason(beanFactory, environment)));
    }

    @Bean
    @ConditionalOnMissingBean
    RetryPolicy outboxRetryPolicy() {
        OutboxProperties.Retry retry = properties.getRetry();
        return new RetryPolicy(RetryPolicy.exponentialWithJitter(retry.getInitialInterval(), retry.getMultiplier(),
                retry.getRandomizationFactor(), retry.getMaxInterval()), retry.getMaxAttempts(),
                retry.getNonRetryableExceptions());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "reliant.outbox.relay.enabled", matchIfMissing = true)
    OutboxRelay outboxRelay(DataSource dataSource, OutboxTables tables, OutboxPublisher publisher,
            RetryPolicy retryPolicy, ObjectProvider<RelayObserver> observer, ObjectProvider<JsonMapper> jsonMapper,
            ObjectProvider<ObservationRegistry> observations, ObjectProvider<CommitNotifier> commitNotifier) {
        OutboxProperties.Relay relay = properties.getRelay();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate transactions = ownTransactions(dataSource);
        RelayStore store = new RelayStore(jdbc, transactions, jsonMapper.getIfAvailable(JsonMapper::new), tables,
                relay.isParkedBlocksKey());
        RelaySettings settings = new RelaySettings(relay.getBatchSize(), relay.getMessagesPerKey(), relay.getLease(),
                relay.getPublishTimeout(), relay.getPollInterval(), relay.getWorkers(), relay.getBusyPollInterval(),
                relay.getInstanceTimeout(), relay.getHeartbeatInterval());
        NotificationWaiter waiter = relay.isListen() ? new NotificationWaiter(dataSource, tables.channel()) : null;
        OutboxRelay outboxRelay = new OutboxRelay(store, new RelayInstances(jdbc, transactions, tables), publisher,
                retryPolicy, settings, waiter, observer.getIfUnique(() -> RelayObserver.NONE),
                observations.getIfUnique(() -> ObservationRegistry.NOOP));
        commitNotifier.ifUnique((notifier) -> notifier.addLocalListener(outboxRelay::committedHere));
        return outboxRelay;
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "reliant.outbox.cleanup.enabled", matchIfMissing = true)
    OutboxCleaner outboxCleaner(DataSource dataSource, OutboxTables tables) {
        OutboxProperties.Cleanup cleanup = properties.getCleanup();
        return new OutboxCleaner(new JdbcTemplate(dataSource), tables, cleanup.getRetention(),
                properties.getInbox().getRetention(), cleanup.getInterval(), cleanup.getBatchSize());
    }

    /**
     * The outbox's own short transactions (claims, settling, replays) run on the outbox's DataSource whatever
     * transaction manager the application uses, such as a JPA one.
     */
    private static TransactionTemplate ownTransactions(DataSource dataSource) {
        return new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }
}
