package dev.reliant.benchmarks.outbox;

import java.util.List;
import java.util.Map;

import dev.reliant.outbox.Outbox;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.support.TransactionTemplate;

/** Writes a backlog through {@link Outbox#publish}, many events per transaction, with its relay turned off. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class BacklogWriterApplication {

    @Bean
    BacklogWriter backlogWriter(TransactionTemplate transactions, Outbox outbox) {
        return (exchange, keys) -> transactions.executeWithoutResult(status -> {
            for (String key : keys) {
                outbox.publish(exchange, key, "order.placed", Map.of("key", key, "payload", OutboxBenchmark.PAYLOAD));
            }
        });
    }

    /** One transaction publishing one event per key given, in that order. */
    @FunctionalInterface
    public interface BacklogWriter {

        void write(String exchange, List<String> keys);

    }

}
