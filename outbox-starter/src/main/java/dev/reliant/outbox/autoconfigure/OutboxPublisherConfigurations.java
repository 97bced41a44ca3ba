package dev.reliant.outbox.autoconfigure;

import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.amqp.RabbitOutboxPublisher;
import dev.reliant.outbox.event.ApplicationEventOutboxPublisher;
import dev.reliant.outbox.kafka.KafkaOutboxPublisher;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The {@link OutboxPublisher} choice, in this order: the application's own bean; the one named by
 * {@code reliant.outbox.publisher}; otherwise Kafka when the application configured a Kafka connection, RabbitMQ when
 * it configured a RabbitMQ connection ({@link ConfiguredConnection}), and in-process application events last. The
 * client libraries alone do not count: with them Spring Boot connects to a broker on localhost that nobody set up.
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

        @Bean
        @ConditionalOnMissingBean(OutboxPublisher.class)
        ApplicationEventOutboxPublisher applicationEventOutboxPublisher(ApplicationEventPublisher events) {
            return new ApplicationEventOutboxPublisher(events);
        }
    }
}
