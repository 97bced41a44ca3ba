package dev.reliant.outbox.schema;

import java.util.Map;

import javax.sql.DataSource;

import dev.reliant.outbox.jdbc.OutboxTables;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import org.springframework.beans.factory.InitializingBean;

/**
 * Creates and upgrades the outbox and inbox tables with a Flyway instance of its own. It keeps its own history
 * table, so its versions never mix with the application's migrations, and it baselines at version 0, so a schema
 * that already holds the application's tables still gets version 1. It is deliberately not a {@code Flyway} bean:
 * one would make Spring Boot's Flyway auto-configuration back off for the application's own migrations.
 */
public class OutboxSchemaInitializer implements InitializingBean {

    /** Where the migrations are; teams that own their DDL find the scripts there in the jar. */
    public static final String LOCATION = "classpath:db/reliant/outbox";

    public static final String HISTORY_TABLE = "reliant_outbox_schema_history";

    private final DataSource dataSource;

    private final OutboxTables tables;

    public OutboxSchemaInitializer(DataSource dataSource, OutboxTables tables) {
        this.dataSource = dataSource;
        this.tables = tables;
    }

    @Override
    public void afterPropertiesSet() {
        FluentConfiguration configuration = Flyway.configure(getClass().getClassLoader())
            .dataSource(dataSource)
            .locations(LOCATION)
            .table(HISTORY_TABLE)
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .placeholders(Map.of("outbox_table", tables.outboxName(), "inbox_table", tables.inboxName()));
        if (tables.schema() != null) {
            configuration.schemas(tables.schema()).defaultSchema(tables.schema()).createSchemas(true);
        }
        configuration.load().migrate();
    }
}
