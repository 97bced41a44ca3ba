package dev.reliant.benchmarks.saga;

import dev.reliant.benchmarks.support.CountingDataSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/** Sagas on a counted DataSource, and the participant their steps call. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class SagaBenchmarkApplication {

    @Bean
    static CountingDataSource countingDataSource() {
        return new CountingDataSource();
    }

    @Bean
    Reservations reservations(JdbcTemplate jdbc) {
        return new Reservations(jdbc);
    }

}
