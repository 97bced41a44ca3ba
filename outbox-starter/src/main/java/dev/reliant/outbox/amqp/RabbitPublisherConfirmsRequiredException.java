package dev.reliant.outbox.amqp;

/**
 * Thrown when the RabbitMQ outbox publisher is given a connection factory without correlated publisher confirms or
 * without publisher returns: it counts a message as sent only once the broker confirmed it, and parks a message the
 * broker returned as unroutable, so without them a message could be counted as sent and never arrive. Says what the
 * connection factory has, so that the failure analysis can name what to change.
 */
public class RabbitPublisherConfirmsRequiredException extends IllegalStateException {

    private final boolean correlatedConfirms;

    private final boolean simpleConfirms;

    private final boolean returns;

    /**
     * @param correlatedConfirms whether the connection factory has correlated publisher confirms
     * @param simpleConfirms whether it has simple publisher confirms, which cannot tell which message was confirmed
     * @param returns whether it has publisher returns
     */
    public RabbitPublisherConfirmsRequiredException(boolean correlatedConfirms, boolean simpleConfirms,
            boolean returns) {
        super("The RabbitMQ outbox publisher needs correlated publisher confirms and returns: set"
                + " spring.rabbitmq.publisher-confirm-type=correlated and spring.rabbitmq.publisher-returns=true");
        this.correlatedConfirms = correlatedConfirms;
        this.simpleConfirms = simpleConfirms;
        this.returns = returns;
    }

    public boolean hasCorrelatedConfirms() {
        return correlatedConfirms;
    }

    public boolean hasSimpleConfirms() {
        return simpleConfirms;
    }

    public boolean hasReturns() {
        return returns;
    }
}
