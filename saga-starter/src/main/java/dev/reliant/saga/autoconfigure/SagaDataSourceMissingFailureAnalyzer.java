package dev.reliant.saga.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start that failed because the saga log has no single {@code DataSource} to live in. */
class SagaDataSourceMissingFailureAnalyzer extends AbstractFailureAnalyzer<SagaDataSourceMissingException> {

    private static final String DISABLE = " To run without sagas, set reliant.saga.enabled=false.";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SagaDataSourceMissingException cause) {
        String action = cause.getDataSources().isEmpty()
                ? "Configure a DataSource for the PostgreSQL database: add spring-boot-starter-jdbc (it brings the"
                        + " HikariCP connection pool) and set spring.datasource.url, spring.datasource.username and"
                        + " spring.datasource.password, or define a DataSource bean."
                : "Mark the DataSource that the saga log belongs in, the one the saga steps write to, as @Primary.";
        return new FailureAnalysis(cause.getMessage(), action + DISABLE, cause);
    }

}
