package dev.reliant.outbox;

/** Names of the headers the publishers send with every message. */
public final class OutboxHeaders {

    /** The outbox message id: what a consumer deduplicates on (see {@link Inbox}). */
    public static final String MESSAGE_ID = "outbox-message-id";

    /** The event type given when the message was written. */
    public static final String MESSAGE_TYPE = "outbox-message-type";

    /** The W3C trace context of the writing transaction, when tracing is on. */
    public static final String TRACEPARENT = "traceparent";

    private OutboxHeaders() {
    }
}
