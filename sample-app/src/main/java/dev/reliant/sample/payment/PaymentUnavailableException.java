package dev.reliant.sample.payment;

/** The provider could not be reached or failed; a retry may succeed. */
public class PaymentUnavailableException extends RuntimeException {

    public PaymentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
