package dev.reliant.saga.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

/** Logs once, when the context's singletons exist, where the saga log is kept and who looks after its tables. */
final class SagaLogReport implements SmartInitializingSingleton {

    private static final Log log = LogFactory.getLog(SagaLogReport.class);

    private final SagaProperties properties;

    SagaLogReport(SagaProperties properties) {
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        log.info(line());
    }

    String line() {
        SagaProperties.Schema schema = properties.getSchema();
        return "Reliant saga: saga log in the application's DataSource (tables " + schema.getSagaTable() + " and "
                + schema.getStepTable() + ", " + (schema.isCreate() ? "created and migrated by the starter"
                        : "left to the application (reliant.saga.schema.create=false)")
                + "; recovery worker " + (properties.getRecovery().isEnabled() ? "on" : "off") + ")";
    }

}
