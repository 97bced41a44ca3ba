package dev.reliant.outbox.amqp;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start refused because the RabbitMQ connection factory lacks the confirms or returns the outbox needs. */
class RabbitPublisherConfirmsFailureAnalyzer
        extends AbstractFailureAnalyzer<RabbitPublisherConfirmsRequiredException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RabbitPublisherConfirmsRequiredException cause) {
        String confirms = cause.hasCorrelatedConfirms() ? "correlated"
                : cause.hasSimpleConfirms() ? "simple (they cannot tell which message was confirmed)" : "off";
        String description = "The RabbitMQ outbox publisher counts a message as sent only once the broker confirmed"
                + " it, and parks a message the broker returned as unroutable, so its connection factory needs"
                + " correlated publisher confirms and publisher returns. The connection factory has publisher"
                + " confirms " + confirms + " and publisher returns " + (cause.hasReturns() ? "on" : "off") + ".";
        String action = "Set spring.rabbitmq.publisher-confirm-type=correlated and"
                + " spring.rabbitmq.publisher-returns=true (on a ConnectionFactory bean of your own:"
                + " setPublisherConfirmType(ConfirmType.CORRELATED) and setPublisherReturns(true)), or choose another"
                + " publisher with reliant.outbox.publisher.";
        return new FailureAnalysis(description, action, cause);
    }
}
