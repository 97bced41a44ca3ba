package dev.reliant.outbox.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.reliant.outbox.amqp.RabbitRoutingKey;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Configuration of the transactional outbox. */
@ConfigurationProperties("reliant.outbox")
public class OutboxProperties {

    /** Whether the outbox is enabled. */
    private boolean enabled = true;

    /**
     * The publisher to relay with. AUTO takes Kafka when the application configured a Kafka connection
     * (spring.kafka.bootstrap-servers or spring.kafka.producer.bootstrap-servers, a service connection or its own
     * ProducerFactory or KafkaTemplate), else RabbitMQ when it configured a RabbitMQ connection (spring.rabbitmq.host,
     * addresses, port, username, password or virtual-host, a service connection or its own ConnectionFactory), else
     * in-process Spring application events.
     */
    private PublisherType publisher = PublisherType.AUTO;

    /** Name of the outbox table. */
    private String table = "reliant_outbox";

    /** Channel of the PostgreSQL notifications that wake the relay when a writing transaction commits. */
    private String channel = "reliant_outbox";

    /**
     * How long after a writing transaction of this instance committed with a notification later ones skip theirs,
     * since PostgreSQL serialises the commits of notifying transactions; the relays it woke poll meanwhile. Must be
     * well below the relays' poll interval; zero notifies on every commit.
     */
    private Duration notifyInterval = Duration.ofMillis(10);

    /** Creation of the outbox tables. */
    private final Schema schema = new Schema();

    /** The relay that sends committed messages to the broker. */
    private final Relay relay = new Relay();

    /** Backoff and parking of messages whose publication failed. */
    private final Retry retry = new Retry();

    /** Deletion of published messages and old inbox records. */
    private final Cleanup cleanup = new Cleanup();

    /** The consumer-side inbox. */
    private final Inbox inbox = new Inbox();

    /** Thresholds of the outbox health indicator. */
    private final Health health = new Health();

    /** The RabbitMQ publisher. */
    private final Rabbit rabbit = new Rabbit();

    /** The backlog gauges. */
    private final Metrics metrics = new Metrics();

    /** Application events of @Externalized types written to the outbox. */
    private final Externalize externalize = new Externalize();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Externalize getExternalize() {
        return externalize;
    }

    public PublisherType getPublisher() {
        return publisher;
    }

    public void setPublisher(PublisherType publisher) {
        this.publisher = publisher;
    }

    public String getTable() {
        return table;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public String getChannel() {
        return channel;
    }

    public Duration getNotifyInterval() {
        return notifyInterval;
    }

    public void setNotifyInterval(Duration notifyInterval) {
        this.notifyInterval = notifyInterval;
    }

    public void setChannel(String channel) {
        this.channel = channel;
    }

    public Schema getSchema() {
        return schema;
    }

    public Relay getRelay() {
        return relay;
    }

    public Retry getRetry() {
        return retry;
    }

    public Cleanup getCleanup() {
        return cleanup;
    }

    public Inbox getInbox() {
        return inbox;
    }

    public Health getHealth() {
        return health;
    }

    public Rabbit getRabbit() {
        return rabbit;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    /** Which broker the relay publishes to. */
    public enum PublisherType {

        /** Kafka or RabbitMQ when a connection to it is configured, else in-process. */
        AUTO,

        /** Kafka through spring-kafka. */
        KAFKA,

        /** RabbitMQ through spring-amqp. */
        RABBIT,

        /** Spring application events in this process, for development. */
        IN_PROCESS

    }

    /** Creation of the outbox tables. */
    public static class Schema {

        /**
         * Whether to create and upgrade the outbox tables with the starter's own Flyway migrations (history table
         * reliant_outbox_schema_history). Turn off when the DDL is owned elsewhere; the scripts are in the jar under
         * db/reliant/outbox.
         */
        private boolean create = true;

        /** Schema of the outbox and inbox tables; the connection's current schema when unset. */
        private String name;

        public boolean isCreate() {
            return create;
        }

        public void setCreate(boolean create) {
            this.create = create;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }
    }

    /** The relay that sends committed messages to the broker. */
    public static class Relay {

        /** Whether this instance relays messages; writing works either way. */
        private boolean enabled = true;

        /** Keys claimed per round. */
        private int batchSize = 100;

        /** Messages of one key claimed per round; they are sent one after another, each after the last ack. */
        private int messagesPerKey = 20;

        /**
         * Batches this instance relays at once, each by its own thread, so that one claims or records its outcome
         * while another waits for the broker. The extra workers join when the first finds a backlog, and one of them
         * claims at once what this instance's writers just committed, while the others may still wait for the
         * broker's acknowledgements of earlier batches; with a single worker, those messages wait for the
         * database's notification or the next poll, and no hand-over (see hand-off) takes place.
         */
        private int workers = 4;

        /**
         * Whether this instance's writers lease the keys they start to this instance's relay, in the statement that
         * writes the message, and hand the messages over in memory once their transaction has committed: they go to
         * the broker without a claim's round trips, and the commit sends no notification. The rest of a key that
         * already has messages waiting is left to a claim, which keeps per-key order. A crash before they are sent
         * leaves them to the other instances after instance-timeout. Takes effect with two or more workers. Turn
         * off when the application rolls back to savepoints through JDBC directly rather than through Spring's
         * transaction API (nested transactions): the writer would not see the rollback and could hand over a message
         * that was never committed.
         */
        private boolean handOff = true;

        /**
         * How long claimed messages stay reserved to the claiming instance while it lives; another instance takes
         * them over when it runs out (a crashed instance's claims are taken over sooner, see instance-timeout).
         * At least twice the publish timeout.
         */
        private Duration lease = Duration.ofMinutes(1);

        /**
         * How long a relaying instance counts as alive after its last heartbeat. When it lapses, as after a crash or
         * a kill, the other instances (or the restarted one) take over its claimed messages at once instead of
         * waiting for their lease. At least twice the heartbeat interval.
         */
        private Duration instanceTimeout = Duration.ofSeconds(5);

        /** How often a relaying instance renews its liveness and takes over the claims of dead instances. */
        private Duration heartbeatInterval = Duration.ofSeconds(1);

        /** How long one publication may wait for the broker's acknowledgement before it counts as failed. */
        private Duration publishTimeout = Duration.ofSeconds(20);

        /** The longest an idle relay waits before looking for due messages (the fallback to notifications). */
        private Duration pollInterval = Duration.ofSeconds(1);

        /**
         * How often a listening relay looks for due messages during the poll interval after it last found some or was
         * notified, when writers skip their notification (see notify-interval).
         */
        private Duration busyPollInterval = Duration.ofMillis(5);

        /** Whether to listen for PostgreSQL notifications, so a committed message is relayed at once. */
        private boolean listen = true;

        /**
         * Whether a parked message holds back the later messages of its key until it is replayed or discarded.
         * Keeps per-key order strict; turn off to let the rest of a key flow past a poison message.
         */
        private boolean parkedBlocksKey = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public int getMessagesPerKey() {
            return messagesPerKey;
        }

        public void setMessagesPerKey(int messagesPerKey) {
            this.messagesPerKey = messagesPerKey;
        }

        public int getWorkers() {
            return workers;
        }

        public void setWorkers(int workers) {
            this.workers = workers;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public Duration getInstanceTimeout() {
            return instanceTimeout;
        }

        public void setInstanceTimeout(Duration instanceTimeout) {
            this.instanceTimeout = instanceTimeout;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public Duration getPublishTimeout() {
            return publishTimeout;
        }

        public void setPublishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
        }

        public Duration getPollInterval() {
            return pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        public Duration getBusyPollInterval() {
            return busyPollInterval;
        }

        public void setBusyPollInterval(Duration busyPollInterval) {
            this.busyPollInterval = busyPollInterval;
        }

        public boolean isListen() {
            return listen;
        }

        public void setListen(boolean listen) {
            this.listen = listen;
        }

        public boolean isHandOff() {
            return handOff;
        }

        public void setHandOff(boolean handOff) {
            this.handOff = handOff;
        }

        public boolean isParkedBlocksKey() {
            return parkedBlocksKey;
        }

        public void setParkedBlocksKey(boolean parkedBlocksKey) {
            this.parkedBlocksKey = parkedBlocksKey;
        }
    }

    /** Backoff and parking of messages whose publication failed. */
    public static class Retry {

        /** Delay after the first failed attempt. */
        private Duration initialInterval = Duration.ofSeconds(1);

        /** Factor by which the delay grows after each further failure. */
        private double multiplier = 2.0;

        /** Jitter: each delay is drawn from [delay * (1 - factor), delay * (1 + factor)]. */
        private double randomizationFactor = 0.5;

        /** Upper bound of the delay. */
        private Duration maxInterval = Duration.ofMinutes(5);

        /** Attempts after which a message is parked. */
        private int maxAttempts = 20;

        /**
         * Exception types that park a message at once, in addition to NonRetryablePublishException and the
         * publishers' own classification (Kafka serialization or size errors, RabbitMQ unroutable returns).
         */
        private List<Class<? extends Throwable>> nonRetryableExceptions = new ArrayList<>();

        public Duration getInitialInterval() {
            return initialInterval;
        }

        public void setInitialInterval(Duration initialInterval) {
            this.initialInterval = initialInterval;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public double getRandomizationFactor() {
            return randomizationFactor;
        }

        public void setRandomizationFactor(double randomizationFactor) {
            this.randomizationFactor = randomizationFactor;
        }

        public Duration getMaxInterval() {
            return maxInterval;
        }

        public void setMaxInterval(Duration maxInterval) {
            this.maxInterval = maxInterval;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public List<Class<? extends Throwable>> getNonRetryableExceptions() {
            return nonRetryableExceptions;
        }

        public void setNonRetryableExceptions(List<Class<? extends Throwable>> nonRetryableExceptions) {
            this.nonRetryableExceptions = nonRetryableExceptions;
        }
    }

    /** Deletion of published messages and old inbox records. */
    public static class Cleanup {

        /** Whether published messages and old inbox records are deleted periodically. */
        private boolean enabled = true;

        /** How long published messages are kept; zero deletes them on the next run. */
        private Duration retention = Duration.ofDays(1);

        /** Time between cleanup runs. */
        private Duration interval = Duration.ofMinutes(1);

        /** Rows deleted per statement. */
        private int batchSize = 1000;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    /** The consumer-side inbox. */
    public static class Inbox {

        /** Name of the inbox table. */
        private String table = "reliant_inbox";

        /** Consumer name used by Inbox#process(messageId, handler); spring.application.name when unset. */
        private String consumer;

        /**
         * How long processed message ids are remembered. Must exceed the longest time a message can be redelivered
         * after its first delivery.
         */
        private Duration retention = Duration.ofDays(7);

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }

        public String getConsumer() {
            return consumer;
        }

        public void setConsumer(String consumer) {
            this.consumer = consumer;
        }

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }
    }

    /** Thresholds of the outbox health indicator. */
    public static class Health {

        /** Age of the oldest pending message above which the outbox health is DOWN. */
        private Duration maxLag = Duration.ofMinutes(5);

        /** Number of parked messages above which the outbox health is OUT_OF_SERVICE. */
        private long maxParked = 0;

        public Duration getMaxLag() {
            return maxLag;
        }

        public void setMaxLag(Duration maxLag) {
            this.maxLag = maxLag;
        }

        public long getMaxParked() {
            return maxParked;
        }

        public void setMaxParked(long maxParked) {
            this.maxParked = maxParked;
        }
    }

    /** The RabbitMQ publisher. */
    public static class Rabbit {

        /** What the routing key of a RabbitMQ message is: the outbox key or the event type. */
        private RabbitRoutingKey routingKey = RabbitRoutingKey.KEY;

        public RabbitRoutingKey getRoutingKey() {
            return routingKey;
        }

        public void setRoutingKey(RabbitRoutingKey routingKey) {
            this.routingKey = routingKey;
        }
    }

    /** The backlog gauges. */
    public static class Metrics {

        /** How long the backlog gauges reuse one reading of the outbox table. */
        private Duration refreshInterval = Duration.ofSeconds(10);

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }
    }

    /** Application events of {@code @Externalized} types written to the outbox. */
    public static class Externalize {

        /**
         * Whether published application events (and Spring Data domain events) of @Externalized types are written
         * to the outbox in the publishing transaction.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
