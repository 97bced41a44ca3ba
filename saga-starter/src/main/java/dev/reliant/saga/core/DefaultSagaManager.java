package dev.reliant.saga.core;

import java.util.function.Function;

import dev.reliant.saga.Saga;
import dev.reliant.saga.SagaManager;
import dev.reliant.saga.SagaOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.log.LogMessage;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Runs sagas on a {@link SagaEngine}, deferring their end to the end of the caller's transaction if any. */
public class DefaultSagaManager implements SagaManager {

    private static final Log log = LogFactory.getLog(DefaultSagaManager.class);

    private final SagaEngine engine;

    public DefaultSagaManager(SagaEngine engine) {
        this.engine = engine;
    }

    @Override
    public <T> T call(String name, SagaOptions options, Function<Saga, T> body) {
        SagaExecution saga = engine.start(name, options);
        boolean inTransaction = TransactionSynchronizationManager.isSynchronizationActive()
                && TransactionSynchronizationManager.isActualTransactionActive();
        T result;
        try {
            result = body.apply(saga);
        }
        catch (RuntimeException | Error ex) {
            if (inTransaction) {
                endAfterTransaction(saga, ex);
            }
            else {
                saga.compensate(ex);
            }
            throw ex;
        }
        if (inTransaction) {
            endAfterTransaction(saga, null);
            return result;
        }
        try {
            saga.complete();
        }
        catch (RuntimeException ex) {
            saga.compensate(ex);
            throw ex;
        }
        return result;
    }

    private void endAfterTransaction(SagaExecution saga, Throwable failure) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

            @Override
            public void afterCompletion(int status) {
                if (failure == null && status == STATUS_COMMITTED) {
                    try {
                        saga.complete();
                        return;
                    }
                    catch (RuntimeException ex) {
                        log.warn(LogMessage.format("Saga %s (%s) could not be closed after its transaction committed",
                                saga.id(), saga.name()), ex);
                        saga.compensate(ex);
                        return;
                    }
                }
                saga.compensate((failure != null) ? failure
                        : new IllegalStateException("The saga's transaction did not commit"));
            }

        });
    }

}
