package dev.reliant.outbox.autoconfigure;

/**
 * Thrown at startup when {@code reliant.outbox.publisher} is AUTO, a broker client is on the class path (Spring Boot
 * made its connection to a broker on localhost), and no connection to a broker is configured. Publishing in-process
 * then would mark every message published while nothing reaches a broker, so the start is refused instead.
 */
public class OutboxBrokerNotConfiguredException extends IllegalStateException {

    private final String client;

    public OutboxBrokerNotConfiguredException(String client) {
        super("The outbox would publish its messages in-process, so that they never reach a broker, although " + client
                + " is on the class path: no connection to a broker is configured (spring.kafka.bootstrap-servers,"
                + " spring.rabbitmq.host or addresses), and reliant.outbox.publisher is auto.");
        this.client = client;
    }

    /** The broker client that was found. */
    public String client() {
        return client;
    }
}
