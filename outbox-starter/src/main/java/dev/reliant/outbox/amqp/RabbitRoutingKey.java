package dev.reliant.outbox.amqp;

/** What the routing key of a message published to RabbitMQ is. */
public enum RabbitRoutingKey {

    /** The outbox key: with a consistent-hash exchange, one key stays on one queue, in order. */
    KEY,

    /** The event type, for topic exchanges that route by kind of event. */
    TYPE

}
