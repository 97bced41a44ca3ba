package dev.reliant.benchmarks.outbox;

import java.util.Map;
import java.util.UUID;

import dev.reliant.outbox.Outbox;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The workload on the Reliant outbox: the order row and {@link Outbox#publish} in one transaction. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ReliantOutboxApplication {

    @Bean
    OrderWriter orderWriter(TransactionTemplate transactions, JdbcTemplate jdbc, Outbox outbox,
            Environment environment) {
        String exchange = environment.getRequiredProperty("benchmark.destination");
        return () -> transactions.execute(status -> {
            UUID order = Orders.insert(jdbc);
            return outbox
                .publish(exchange, order.toString(), "order.placed", Map.of("order", order, "payload",
                        OutboxBenchmark.PAYLOAD))
                .toString();
        });
    }

}
