package dev.reliant.saga.core;

import java.util.function.Function;

import dev.reliant.saga.Saga;
import dev.reliant.saga.SagaManager;
import dev.reliant.saga.SagaOptions;

/**
 * Runs sagas on a {@link SagaEngine}. Inside a transaction on the saga log's database, a saga that succeeds is closed
 * in that transaction and one that fails makes it roll back; either way its compensations run only after the
 * transaction rolled back.
 */
public class DefaultSagaManager implements SagaManager {

    private final SagaEngine engine;

    public DefaultSagaManager(SagaEngine engine) {
        this.engine = engine;
    }

    @Override
    public <T> T call(String name, SagaOptions options, Function<Saga, T> body) {
        SagaExecution saga = engine.start(name, options);
        T result;
        try {
            result = body.apply(saga);
        }
        catch (RuntimeException | Error ex) {
            saga.fail(ex);
            throw ex;
        }
        try {
            saga.complete();
        }
        catch (RuntimeException ex) {
            saga.fail(ex);
            throw ex;
        }
        return result;
    }

}
