package dev.reliant.sample.payment;

/** The provider refused the charge; retrying will not change that. */
public class PaymentDeclinedException extends RuntimeException {

    public PaymentDeclinedException(long amountCents) {
        super("The payment provider declined a charge of " + amountCents + " cents");
    }
}
