package dev.reliant.lock.jdbc;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * Creates and upgrades the lock and fence tables with a Flyway instance of its own, whose history table is separate
 * from the application's, so the starter's migration versions never collide with the application's own.
 */
public class LockSchemaMigrator {

    /** Where the starter's migrations live; the SQL is in the jar for teams that run DDL themselves. */
    public static final String LOCATION = "classpath:db/reliant/lock";

    private final DataSource dataSource;

    private final String lockTable;

    private final String fenceTable;

    private final String historyTable;

    private final AtomicBoolean migrated = new AtomicBoolean();

    public LockSchemaMigrator(DataSource dataSource, String lockTable, String fenceTable, String historyTable) {
        this.dataSource = dataSource;
        this.lockTable = lockTable;
        this.fenceTable = fenceTable;
        this.historyTable = historyTable;
    }

    /** Applies the starter's pending migrations once per instance; does nothing when the tables are current. */
    public void migrate() {
        if (!migrated.compareAndSet(false, true)) {
            return;
        }
        Flyway.configure()
            .dataSource(dataSource)
            .locations(LOCATION)
            .table(historyTable)
            .placeholders(Map.of("lock_table", lockTable, "fence_table", fenceTable))
            // An application schema that already has tables is normal here: start our history below V1.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
    }

}
