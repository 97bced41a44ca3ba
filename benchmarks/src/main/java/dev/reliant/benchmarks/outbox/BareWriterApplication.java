package dev.reliant.benchmarks.outbox;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The workload's writing transaction without an outbox: the order row alone, returning the order's id. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class BareWriterApplication {

    @Bean
    OrderWriter orderWriter(TransactionTemplate transactions, JdbcTemplate jdbc) {
        return () -> transactions.execute(status -> Orders.insert(jdbc).toString());
    }

}
