package dev.reliant.outbox.autoconfigure;

import java.util.Locale;
import java.util.Optional;

import dev.reliant.outbox.autoconfigure.OutboxProperties.PublisherType;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code reliant.outbox.publisher} names this publisher, or is AUTO and this publisher may be chosen.
 * Evaluated once the beans are registered, since AUTO looks at the application's connection beans.
 */
abstract class PublisherCondition extends SpringBootCondition implements ConfigurationCondition {

    static final String PROPERTY = "reliant.outbox.publisher";

    private final PublisherType type;

    PublisherCondition(PublisherType type) {
        this.type = type;
    }

    /** The publisher named by {@code reliant.outbox.publisher}, AUTO when it is not set. */
    static PublisherType configured(Environment environment) {
        String value = environment.getProperty(PROPERTY, PublisherType.AUTO.name());
        return PublisherType.valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
    }

    @Override
    public ConfigurationPhase getConfigurationPhase() {
        return ConfigurationPhase.REGISTER_BEAN;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        PublisherType configured = configured(context.getEnvironment());
        if (configured == type) {
            return ConditionOutcome.match(PROPERTY + " is " + configured);
        }
        if (configured != PublisherType.AUTO) {
            return ConditionOutcome.noMatch(PROPERTY + " is " + configured);
        }
        return chosenByAuto(context);
    }

    /** Whether AUTO may choose this publisher. */
    abstract ConditionOutcome chosenByAuto(ConditionContext context);

    /** Under AUTO, a broker is chosen only when the application configured a connection to it. */
    abstract static class Broker extends PublisherCondition {

        private final ConfiguredConnection connection;

        private final String name;

        Broker(PublisherType type, ConfiguredConnection connection, String name) {
            super(type);
            this.connection = connection;
            this.name = name;
        }

        @Override
        ConditionOutcome chosenByAuto(ConditionContext context) {
            Optional<String> configured = connection.reason(context.getBeanFactory(), context.getEnvironment());
            return new ConditionOutcome(configured.isPresent(),
                    PROPERTY + " is AUTO and " + configured.orElse("no " + name + " connection is configured"));
        }
    }

    static final class Kafka extends Broker {

        Kafka() {
            super(PublisherType.KAFKA, ConfiguredConnection.KAFKA, "Kafka");
        }
    }

    static final class Rabbit extends Broker {

        Rabbit() {
            super(PublisherType.RABBIT, ConfiguredConnection.RABBIT, "RabbitMQ");
        }
    }

    static final class InProcess extends PublisherCondition {

        InProcess() {
            super(PublisherType.IN_PROCESS);
        }

        @Override
        ConditionOutcome chosenByAuto(ConditionContext context) {
            return ConditionOutcome.match(PROPERTY + " is AUTO");
        }
    }
}
