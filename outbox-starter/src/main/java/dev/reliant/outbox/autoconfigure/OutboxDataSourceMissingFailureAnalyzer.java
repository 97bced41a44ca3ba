package dev.reliant.outbox.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start that failed because the outbox has no {@code DataSource} to write to. */
class OutboxDataSourceMissingFailureAnalyzer extends AbstractFailureAnalyzer<OutboxDataSourceMissingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, OutboxDataSourceMissingException cause) {
        return new FailureAnalysis(cause.getMessage(), "Configure a DataSource for the PostgreSQL database: add"
                + " spring-boot-starter-jdbc (it brings the HikariCP connection pool) and set spring.datasource.url,"
                + " spring.datasource.username and spring.datasource.password, or define a DataSource bean. To run"
                + " without the outbox, set reliant.outbox.enabled=false.", cause);
    }
}
