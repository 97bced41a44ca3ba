package dev.reliant.outbox;

/**
 * A failure that another attempt cannot fix (the broker rejected the message, it cannot be serialized, its
 * destination does not exist): the relay parks the message at once instead of retrying it.
 */
public class NonRetryablePublishException extends RuntimeException {

    public NonRetryablePublishException(String message) {
        super(message);
    }

    public NonRetryablePublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
