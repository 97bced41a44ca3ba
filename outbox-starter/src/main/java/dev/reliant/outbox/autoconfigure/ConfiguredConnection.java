package dev.reliant.outbox.autoconfigure;

import java.util.List;
import java.util.Optional;

import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.core.env.Environment;
import org.springframework.core.type.MethodMetadata;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Whether the application configured a connection to a server, rather than leaving Spring Boot's defaults in place.
 * Spring Boot creates a connection factory to a server on localhost as soon as the client library is on the class
 * path, so the factory's mere presence says nothing. A connection counts as configured when one of its connection
 * properties is set (in any form Spring Boot binds, environment variables included), when a connection-details bean
 * other than Spring Boot's properties-based one exists (a Testcontainers or Docker Compose service connection), or
 * when the application defines the connection factory itself.
 */
final class ConfiguredConnection {

    /** Kafka, configured under {@code spring.kafka}; the outbox only produces, so consumer settings do not count. */
    static final ConfiguredConnection KAFKA = new ConfiguredConnection(
            List.of("spring.kafka.bootstrap-servers", "spring.kafka.producer.bootstrap-servers"),
            List.of("org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails",
                    "org.springframework.kafka.core.ProducerFactory", "org.springframework.kafka.core.KafkaTemplate"),
            "org.springframework.boot.kafka.autoconfigure.");

    /** RabbitMQ, configured under {@code spring.rabbitmq}. */
    static final ConfiguredConnection RABBIT = new ConfiguredConnection(
            List.of("spring.rabbitmq.host", "spring.rabbitmq.addresses", "spring.rabbitmq.port",
                    "spring.rabbitmq.username", "spring.rabbitmq.password", "spring.rabbitmq.virtual-host"),
            List.of("org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails",
                    "org.springframework.amqp.rabbit.connection.ConnectionFactory"),
            "org.springframework.boot.amqp.autoconfigure.");

    private final List<String> properties;

    private final List<String> beanTypes;

    private final String springBootPackage;

    private ConfiguredConnection(List<String> properties, List<String> beanTypes, String springBootPackage) {
        this.properties = properties;
        this.beanTypes = beanTypes;
        this.springBootPackage = springBootPackage;
    }

    /** Why the connection counts as configured, or empty when only Spring Boot's defaults describe it. */
    Optional<String> reason(ConfigurableListableBeanFactory beanFactory, Environment environment) {
        Optional<String> property = setProperty(environment);
        if (property.isPresent()) {
            return property.map(name -> name + " is set");
        }
        for (String typeName : beanTypes) {
            if (!ClassUtils.isPresent(typeName, beanFactory.getBeanClassLoader())) {
                continue;
            }
            Class<?> type = ClassUtils.resolveClassName(typeName, beanFactory.getBeanClassLoader());
            for (String name : beanFactory.getBeanNamesForType(type, true, false)) {
                if (!definedBySpringBoot(beanFactory, name)) {
                    return Optional.of("bean '" + name + "' (" + type.getSimpleName() + ") is defined");
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> setProperty(Environment environment) {
        Iterable<ConfigurationPropertySource> sources = ConfigurationPropertySources.get(environment);
        for (String property : properties) {
            ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
            for (ConfigurationPropertySource source : sources) {
                ConfigurationProperty value = source.getConfigurationProperty(name);
                // a list such as sentinel.nodes may be given element by element, nodes[0], nodes[1]...
                if ((value != null && StringUtils.hasText(String.valueOf(value.getValue())))
                        || source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT) {
                    return Optional.of(property);
                }
            }
        }
        return Optional.empty();
    }

    /** Whether Spring Boot's own auto-configuration for this server declared the bean, from its defaults. */
    private boolean definedBySpringBoot(ConfigurableListableBeanFactory beanFactory, String name) {
        if (!beanFactory.containsBeanDefinition(name)) {
            return false;
        }
        BeanDefinition definition = beanFactory.getBeanDefinition(name);
        MethodMetadata factoryMethod = (definition instanceof AnnotatedBeanDefinition annotated)
                ? annotated.getFactoryMethodMetadata() : null;
        return factoryMethod != null && factoryMethod.getDeclaringClassName().startsWith(springBootPackage);
    }
}
