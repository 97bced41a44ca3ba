package dev.reliant.outbox.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.amqp.RabbitOutboxPublisher;
import dev.reliant.outbox.autoconfigure.OutboxProperties.PublisherType;
import dev.reliant.outbox.event.ApplicationEventOutboxPublisher;
import dev.reliant.outbox.kafka.KafkaOutboxPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Logs once, when the context's singletons exist, which publisher the outbox relays with and what the choice was
 * based on: under AUTO it follows the broker connections the application configured, so the line names what was
 * found, or how to publish to a broker when nothing was.
 */
final class OutboxPublisherReport implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(OutboxPublisherReport.class);

    private final ObjectProvider<OutboxPublisher> publisher;

    private final OutboxProperties properties;

    private final Broker kafka;

    private final Broker rabbit;

    OutboxPublisherReport(ObjectProvider<OutboxPublisher> publisher, OutboxProperties properties, Broker kafka,
            Broker rabbit) {
        this.publisher = publisher;
        this.properties = properties;
        this.kafka = kafka;
        this.rabbit = rabbit;
    }

    @Override
    public void afterSingletonsInstantiated() {
        log.info(line());
    }

    String line() {
        String relay = properties.getRelay().isEnabled() ? ""
                : "; no relay on this instance (reliant.outbox.relay.enabled=false)";
        return "Reliant outbox: " + publisher() + relay;
    }

    private String publisher() {
        PublisherType configured = properties.getPublisher();
        OutboxPublisher publisher = this.publisher.getIfUnique();
        if (publisher == null) {
            return "no publisher (reliant.outbox.publisher=" + lowerCase(configured) + ", but its client is missing)";
        }
        // the broker publishers' classes are touched only when their client library is there to load them
        if (kafka.onClassPath() && publisher instanceof KafkaOutboxPublisher) {
            return "Kafka publisher (" + why(configured, PublisherType.KAFKA, kafka) + ")";
        }
        if (rabbit.onClassPath() && publisher instanceof RabbitOutboxPublisher) {
            return "RabbitMQ publisher (" + why(configured, PublisherType.RABBIT, rabbit) + ")";
        }
        if (publisher instanceof ApplicationEventOutboxPublisher) {
            return "in-process publisher, Spring application events in this JVM ("
                    + ((configured == PublisherType.IN_PROCESS) ? "reliant.outbox.publisher=in-process" : noBroker())
                    + ")";
        }
        return "the application's own publisher (" + publisher.getClass().getName() + ")";
    }

    private static String why(PublisherType configured, PublisherType type, Broker broker) {
        return (configured == type) ? "reliant.outbox.publisher=" + lowerCase(type)
                : broker.configuration().orElse("the application's own " + broker.name() + " publisher");
    }

    private String noBroker() {
        for (Broker broker : List.of(kafka, rabbit)) {
            if (broker.configuration().isPresent()) {
                return broker.name() + " is configured (" + broker.configuration().get() + ") but there is no "
                        + broker.bean() + " bean to publish with";
            }
        }
        List<Broker> available = new ArrayList<>();
        for (Broker broker : List.of(kafka, rabbit)) {
            if (broker.onClassPath()) {
                available.add(broker);
            }
        }
        if (available.isEmpty()) {
            return "neither spring-kafka nor spring-rabbit is on the class path";
        }
        return "no " + String.join(" or ", available.stream().map(Broker::name).toList()) + " connection configured;"
                + " set " + String.join(" or ", available.stream().map(Broker::property).toList())
                + " to publish to a broker";
    }

    private static String lowerCase(PublisherType type) {
        return type.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * What the report knows of one broker.
     *
     * @param name the broker's name
     * @param property the property that points its client at a server
     * @param bean the bean its publisher is built on
     * @param onClassPath whether its client library is on the class path
     * @param configuration why a connection to it counts as configured, empty when none is
     */
    record Broker(String name, String property, String bean, boolean onClassPath, Optional<String> configuration) {
    }
}
