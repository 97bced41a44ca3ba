package dev.reliant.benchmarks.support;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A one-node Kafka broker (KRaft) inside the benchmark's JVM, started on first use and stopped at exit; this
 * machine runs no Kafka of its own. {@code RELIANT_BENCH_KAFKA_BOOTSTRAP_SERVERS} names an external one instead.
 */
public final class InProcessKafka {

    private static String bootstrapServers;

    private InProcessKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            String external = System.getenv("RELIANT_BENCH_KAFKA_BOOTSTRAP_SERVERS");
            if (external != null && !external.isBlank()) {
                bootstrapServers = external;
            }
            else {
                EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
                broker.afterPropertiesSet();
                Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "in-process-kafka-stop"));
                bootstrapServers = broker.getBrokersAsString();
            }
        }
        return bootstrapServers;
    }

}
