package dev.reliant.outbox.amqp;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class RabbitPublisherConfirmsFailureAnalyzerTests {

    private final RabbitPublisherConfirmsFailureAnalyzer analyzer = new RabbitPublisherConfirmsFailureAnalyzer();

    @Test
    void saysWhatTheConnectionFactoryHasAndWhatToSet() {
        FailureAnalysis analysis = analyzer.analyze(new BeanCreationException("rabbitOutboxPublisher", "failed",
                new RabbitPublisherConfirmsRequiredException(false, false, false)));
        assertThat(analysis.getDescription()).isEqualTo("The RabbitMQ outbox publisher counts a message as sent only"
                + " once the broker confirmed it, and parks a message the broker returned as unroutable, so its"
                + " connection factory needs correlated publisher confirms and publisher returns. The connection"
                + " factory has publisher confirms off and publisher returns off.");
        assertThat(analysis.getAction()).isEqualTo("Set spring.rabbitmq.publisher-confirm-type=correlated and"
                + " spring.rabbitmq.publisher-returns=true (on a ConnectionFactory bean of your own:"
                + " setPublisherConfirmType(ConfirmType.CORRELATED) and setPublisherReturns(true)), or choose another"
                + " publisher with reliant.outbox.publisher.");
    }

    @Test
    void tellsSimpleConfirmsAndMissingReturnsApart() {
        assertThat(analyzer.analyze(new RabbitPublisherConfirmsRequiredException(false, true, true)).getDescription())
            .endsWith("publisher confirms simple (they cannot tell which message was confirmed) and publisher"
                    + " returns on.");
        assertThat(analyzer.analyze(new RabbitPublisherConfirmsRequiredException(true, false, false)).getDescription())
            .endsWith("publisher confirms correlated and publisher returns off.");
    }
}
