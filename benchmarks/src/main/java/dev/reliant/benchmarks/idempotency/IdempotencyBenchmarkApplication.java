package dev.reliant.benchmarks.idempotency;

import dev.reliant.benchmarks.support.CountingDataSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The application under load: the echo endpoints, with statement counting on its DataSource when it has one. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(EchoController.class)
public class IdempotencyBenchmarkApplication {

    @Bean
    static CountingDataSource countingDataSource() {
        return new CountingDataSource();
    }

}
