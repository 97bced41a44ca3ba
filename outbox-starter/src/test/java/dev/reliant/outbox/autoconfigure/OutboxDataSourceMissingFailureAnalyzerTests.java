package dev.reliant.outbox.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxDataSourceMissingFailureAnalyzerTests {

    @Test
    void saysWhyTheOutboxNeedsADataSourceAndHowToConfigureOne() {
        FailureAnalysis analysis = new OutboxDataSourceMissingFailureAnalyzer()
            .analyze(new OutboxDataSourceMissingException());
        assertThat(analysis.getDescription()).isEqualTo("The outbox writes its messages in the application's"
                + " PostgreSQL database, in the transaction of the change they describe, but there is no DataSource"
                + " bean.");
        assertThat(analysis.getAction()).isEqualTo("Configure a DataSource for the PostgreSQL database: add"
                + " spring-boot-starter-jdbc (it brings the HikariCP connection pool) and set spring.datasource.url,"
                + " spring.datasource.username and spring.datasource.password, or define a DataSource bean. To run"
                + " without the outbox, set reliant.outbox.enabled=false.");
    }

    @Test
    void leavesOtherFailuresAlone() {
        assertThat(new OutboxDataSourceMissingFailureAnalyzer().analyze(new IllegalStateException("other"))).isNull();
    }
}
