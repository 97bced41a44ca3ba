package dev.reliant.benchmarks.saga;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/** Sagas, and the participant their steps call; the benchmark wraps the DataSource to count what they send. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class SagaBenchmarkApplication {

    @Bean
    Reservations reservations(JdbcTemplate jdbc) {
        return new Reservations(jdbc);
    }

}
