package dev.reliant.saga;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.jdbc.core.JdbcTemplate;

/** A test class's own schema with the participants' ledger tables, dropped when the class is done. */
final class LedgerDatabase implements BeforeAllCallback, AfterAllCallback {

    private TestPostgres.Schema schema;

    private HikariDataSource dataSource;

    private JdbcTemplate jdbc;

    @Override
    public void beforeAll(ExtensionContext context) {
        schema = TestPostgres.newSchema();
        dataSource = schema.dataSource();
        jdbc = new JdbcTemplate(dataSource);
        Ledger.createTables(jdbc);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        schema.drop(dataSource);
        dataSource.close();
    }

    TestPostgres.Schema schema() {
        return schema;
    }

    HikariDataSource dataSource() {
        return dataSource;
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }
}
