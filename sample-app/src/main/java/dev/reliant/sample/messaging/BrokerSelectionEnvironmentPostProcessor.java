package dev.reliant.sample.messaging;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Chooses where the sample's outbox publishes from the standard Spring Boot properties: Kafka when
 * {@code spring.kafka.bootstrap-servers} is set, RabbitMQ when {@code spring.rabbitmq.host} or
 * {@code spring.rabbitmq.addresses} is, in-process Spring events otherwise. The broker clients that are not used
 * are switched off, so the sample never tries to reach a broker nobody configured.
 */
public class BrokerSelectionEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PUBLISHER = "reliant.outbox.publisher";

    private static final String RABBIT = "org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration";

    private static final String RABBIT_HEALTH = "org.springframework.boot.amqp.autoconfigure.health."
            + "RabbitHealthContributorAutoConfiguration";

    private static final String RABBIT_METRICS = "org.springframework.boot.amqp.autoconfigure.metrics."
            + "RabbitMetricsAutoConfiguration";

    private static final String KAFKA = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration";

    private static final String KAFKA_METRICS = "org.springframework.boot.kafka.autoconfigure.metrics."
            + "KafkaMetricsAutoConfiguration";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String publisher = environment.getProperty(PUBLISHER, choose(environment));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(PUBLISHER, publisher);
        Set<String> excluded = new LinkedHashSet<>(
                StringUtils.commaDelimitedListToSet(environment.getProperty("spring.autoconfigure.exclude", "")));
        if (!publisher.equals("rabbit")) {
            excluded.addAll(Set.of(RABBIT, RABBIT_HEALTH, RABBIT_METRICS));
        }
        if (!publisher.equals("kafka")) {
            excluded.addAll(Set.of(KAFKA, KAFKA_METRICS));
        }
        excluded.remove("");
        properties.put("spring.autoconfigure.exclude", String.join(",", excluded));
        environment.getPropertySources().addFirst(new MapPropertySource("sampleBrokerSelection", properties));
    }

    private static String choose(ConfigurableEnvironment environment) {
        if (environment.containsProperty("spring.kafka.bootstrap-servers")) {
            return "kafka";
        }
        if (environment.containsProperty("spring.rabbitmq.host")
                || environment.containsProperty("spring.rabbitmq.addresses")) {
            return "rabbit";
        }
        return "in-process";
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
