package dev.reliant.saga;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs sagas explicitly, for code outside a web request. The saga completes when the body returns and is
 * compensated when it throws; the body's exception is then rethrown.
 * <p>
 * Inside a transaction the outcome follows the transaction: completion and compensation wait until it ended, and a
 * rollback compensates even when the body returned, so compensations never run inside the transaction that failed.
 */
public interface SagaManager {

    default void run(String name, Consumer<Saga> body) {
        run(name, null, body);
    }

    /** Runs {@code body} as a saga with the given options, or the configured ones when {@code options} is null. */
    default void run(String name, SagaOptions options, Consumer<Saga> body) {
        call(name, options, saga -> {
            body.accept(saga);
            return null;
        });
    }

    default <T> T call(String name, Function<Saga, T> body) {
        return call(name, null, body);
    }

    /** Runs {@code body} as a saga and returns its result. */
    <T> T call(String name, SagaOptions options, Function<Saga, T> body);

}
