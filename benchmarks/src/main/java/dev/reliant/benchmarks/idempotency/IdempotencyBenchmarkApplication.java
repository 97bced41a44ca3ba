package dev.reliant.benchmarks.idempotency;

import dev.reliant.benchmarks.support.CountingDataSource;
import dev.reliant.benchmarks.support.CountingRedisClient;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The application under load: the echo endpoints, with counters of what it sends to its store. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(EchoController.class)
public class IdempotencyBenchmarkApplication {

    @Bean
    static CountingDataSource countingDataSource() {
        return new CountingDataSource();
    }

    @Bean
    static CountingRedisClient countingRedisClient() {
        return new CountingRedisClient();
    }

}
