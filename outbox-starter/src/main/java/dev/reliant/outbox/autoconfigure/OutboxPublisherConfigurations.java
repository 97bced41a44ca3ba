package dev.reliant.outbox.autoconfigure;

import java.util.Map;

import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.autoconfigure.OutboxProperties.PublisherType;
import dev.reliant.outbox.amqp.RabbitOutboxPublisher;
import dev.reliant.outbox.event.ApplicationEventOutboxPublisher;
import dev.reliant.outbox.kafka.KafkaOutboxPublisher;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.util.ClassUtils;

/**
 * The {@link OutboxPublisher} choice, in this order: the application's own bean; the one named by
 * {@code reliant.outbox.publisher}; otherwise Kafka when the application configured a Kafka connection, RabbitMQ when
 * it configured a RabbitMQ connection ({@link ConfiguredConnection}), and in-process application events when there
 * is no broker client at all. The client libraries alone do not count as a broker: with them Spring Boot connects to
 * a broker on localhost that nobody set up, so the start is refused instead.
 */
final class OutboxPublisherConfigurations {

    private OutboxPublisherConfigurations() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(KafkaTemplate.class)
    @ConditionalOnBean(KafkaTemplate.class)
    @Conditional(PublisherCondition.Kafka.class)
    static class Kafka {

        @Bean
        @ConditionalOnMissingBean(OutboxPublisher.class)
        KafkaOutboxPublisher kafkaOutboxPublisher(KafkaTemplate<?, ?> kafkaTemplate, OutboxProperties properties) {
            return KafkaOutboxPublisher.create(kafkaTemplate.getProducerFactory(),
                    properties.getRelay().getPublishTimeout());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RabbitTemplate.class)
    @ConditionalOnBean(ConnectionFactory.class)
    @Conditional(PublisherCondition.Rabbit.class)
    static class Rabbit {

        @Bean
        @ConditionalOnMissingBean(OutboxPublisher.class)
        RabbitOutboxPublisher rabbitOutboxPublisher(ConnectionFactory connectionFactory,
                OutboxProperties properties) {
            return new RabbitOutboxPublisher(connectionFactory, properties.getRabbit().getRoutingKey());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(PublisherCondition.InProcess.class)
    static class InProcess {

        private static final Map<String, String> BROKER_CLIENTS = Map.of(
                "org.springframework.kafka.core.KafkaTemplate", "spring-kafka (a KafkaTemplate)",
                "org.springframework.amqp.rabbit.connection.ConnectionFactory",
                "spring-rabbit (a RabbitMQ ConnectionFactory)");

        /**
         * Chosen by AUTO only where no broker client exists at all: with one, the application meant to publish to a
         * broker and forgot to say where, and in-process delivery would lose every message.
         */
        @Bean
        @ConditionalOnMissingBean(OutboxPublisher.class)
        ApplicationEventOutboxPublisher applicationEventOutboxPublisher(ApplicationEventPublisher events,
                Environment environment, ListableBeanFactory beans) {
            if (PublisherCondition.configured(environment) == PublisherType.AUTO) {
                BROKER_CLIENTS.forEach((type, client) -> {
                    if (ClassUtils.isPresent(type, OutboxPublisherConfigurations.class.getClassLoader())
                            && beans.getBeanNamesForType(ClassUtils.resolveClassName(type,
                                    OutboxPublisherConfigurations.class.getClassLoader()), false, false).length > 0) {
                        throw new OutboxBrokerNotConfiguredException(client);
                    }
                });
            }
            return new ApplicationEventOutboxPublisher(events);
        }
    }
}
