package dev.reliant.saga.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class SagaDataSourceMissingFailureAnalyzerTests {

    private final SagaDataSourceMissingFailureAnalyzer analyzer = new SagaDataSourceMissingFailureAnalyzer();

    @Test
    void withoutADataSourceSaysHowToConfigureOne() {
        FailureAnalysis analysis = analyzer.analyze(new SagaDataSourceMissingException(List.of()));
        assertThat(analysis.getDescription()).isEqualTo("The saga starter keeps its saga log in the application's"
                + " DataSource, but there is no DataSource bean.");
        assertThat(analysis.getAction()).isEqualTo("Configure a DataSource for the PostgreSQL database: add"
                + " spring-boot-starter-jdbc (it brings the HikariCP connection pool) and set spring.datasource.url,"
                + " spring.datasource.username and spring.datasource.password, or define a DataSource bean. To run"
                + " without sagas, set reliant.saga.enabled=false.");
    }

    @Test
    void withSeveralDataSourcesAsksForAPrimaryOne() {
        FailureAnalysis analysis = analyzer.analyze(new BeanCreationException("sagaLog", "failed",
                new SagaDataSourceMissingException(List.of("orders", "archive"))));
        assertThat(analysis.getDescription()).isEqualTo("The saga starter keeps its saga log in the application's"
                + " DataSource, but there are 2 DataSource beans (orders, archive) and none of them is primary.");
        assertThat(analysis.getAction()).isEqualTo("Mark the DataSource that the saga log belongs in, the one the saga"
                + " steps write to, as @Primary. To run without sagas, set reliant.saga.enabled=false.");
    }

    @Test
    void leavesOtherFailuresAlone() {
        assertThat(analyzer.analyze(new IllegalStateException("other"))).isNull();
    }

}
