package dev.reliant.sample.messaging;

/** The order events the sample publishes through its outbox. */
public final class OrderEvents {

    /** Topic (Kafka) or exchange (RabbitMQ) of order events. */
    public static final String DESTINATION = "orders";

    /** Type of the event written when an order is confirmed; its key is the order id. */
    public static final String ORDER_CREATED = "order.created";

    private OrderEvents() {
    }
}
