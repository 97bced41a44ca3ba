package dev.reliant.saga.jdbc;

import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.InitializingBean;

/**
 * Creates or upgrades the saga log with a Flyway instance of its own and its own history table, so the
 * application's migrations and their version numbers are never touched. A schema that already holds the
 * application's tables is baselined at version 0, which lets version 1 of the log still apply.
 */
public class SagaSchemaInitializer implements InitializingBean {

    private final DataSource dataSource;

    private final SagaTables tables;

    private final String historyTable;

    public SagaSchemaInitializer(DataSource dataSource, SagaTables tables, String historyTable) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.historyTable = historyTable;
    }

    @Override
    public void afterPropertiesSet() {
        Flyway.configure(getClass().getClassLoader())
            .dataSource(dataSource)
            .table(historyTable)
            .locations("classpath:db/reliant/saga")
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .placeholders(Map.of("saga_table", tables.sagas(), "step_table", tables.steps()))
            .load()
            .migrate();
    }

}
