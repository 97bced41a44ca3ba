package dev.reliant.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The Kafka broker of a test JVM: spring-kafka-test's in-process KRaft broker, started once on first use, or the
 * bootstrap servers named by {@value #BOOTSTRAP_ENV}. Tests isolate themselves by topic name.
 */
public final class TestKafka {

    public static final String BOOTSTRAP_ENV = "RELIANT_TEST_KAFKA_BOOTSTRAP_SERVERS";

    private static final Logger log = LoggerFactory.getLogger(TestKafka.class);

    private static String bootstrapServers;

    private TestKafka() {
    }

    /** The broker's bootstrap servers, starting the in-process broker on first call. */
    public static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            String external = System.getenv(BOOTSTRAP_ENV);
            if (external != null && !external.isBlank()) {
                log.info("Tests use the external Kafka at {}", external);
                bootstrapServers = external;
            }
            else {
                EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
                broker.afterPropertiesSet();
                ServerStop.atExit(broker::destroy);
                bootstrapServers = broker.getBrokersAsString();
                log.info("Tests use an in-process Kafka at {}", bootstrapServers);
            }
        }
        return bootstrapServers;
    }
}
