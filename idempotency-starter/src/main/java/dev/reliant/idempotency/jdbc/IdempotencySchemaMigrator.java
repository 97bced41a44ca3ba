package dev.reliant.idempotency.jdbc;

import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * Creates and upgrades one of the starter's tables with a Flyway instance of its own, whose history table is separate
 * from the application's, so the starter's migration versions never collide with the application's own.
 */
public class IdempotencySchemaMigrator {

    /** Where the record table's migrations live; the SQL is in the jar for teams that run DDL themselves. */
    public static final String LOCATION = "classpath:db/reliant/idempotency";

    /** Where the outcome table's migrations live. */
    public static final String OUTCOME_LOCATION = "classpath:db/reliant/idempotency-outcome";

    private final String location;

    private final DataSource dataSource;

    private final String table;

    private final String historyTable;

    public IdempotencySchemaMigrator(DataSource dataSource, String table, String historyTable) {
        this(dataSource, LOCATION, table, historyTable);
    }

    public IdempotencySchemaMigrator(DataSource dataSource, String location, String table, String historyTable) {
        this.location = location;
        this.dataSource = dataSource;
        this.table = table;
        this.historyTable = historyTable;
    }

    /** Applies the starter's pending migrations; does nothing when the table is current. */
    public void migrate() {
        Flyway.configure()
            .dataSource(dataSource)
            .locations(location)
            .table(historyTable)
            .placeholders(Map.of("table", table))
            // An application schema that already has tables is normal here: start our history below V1.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
    }
}
