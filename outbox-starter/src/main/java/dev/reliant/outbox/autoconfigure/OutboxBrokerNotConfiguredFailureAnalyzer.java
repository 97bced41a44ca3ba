package dev.reliant.outbox.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start refused because a broker client is present but no broker connection is configured. */
class OutboxBrokerNotConfiguredFailureAnalyzer extends AbstractFailureAnalyzer<OutboxBrokerNotConfiguredException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, OutboxBrokerNotConfiguredException cause) {
        return new FailureAnalysis(cause.getMessage(), "Configure the broker the messages go to:"
                + " spring.kafka.bootstrap-servers for Kafka, or spring.rabbitmq.host (or addresses) for RabbitMQ. To"
                + " deliver them as Spring application events in this JVM (development, tests), set"
                + " reliant.outbox.publisher=in-process.", cause);
    }
}
