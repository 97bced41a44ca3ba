package dev.reliant.idempotency.metrics;

/** Where the filter and the store report what happened; {@link #NONE} when Micrometer is absent. */
public interface IdempotencyMetrics {

    IdempotencyMetrics NONE = new IdempotencyMetrics() {
        @Override
        public void request(RequestOutcome outcome) {
        }

        @Override
        public void storeCall(String operation, boolean success, long nanos) {
        }
    };

    void request(RequestOutcome outcome);

    void storeCall(String operation, boolean success, long nanos);

}
