package dev.reliant.benchmarks.support;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Auto-configurations a benchmark application leaves out. The module holds every starter and every peer, so each
 * application turns off what it does not measure: nothing runs beside the code under measurement.
 */
public enum Excluded {

    IDEMPOTENCY("dev.reliant.idempotency.autoconfigure.IdempotencyAutoConfiguration",
            "dev.reliant.idempotency.autoconfigure.IdempotencyActuatorAutoConfiguration"),

    OUTBOX("dev.reliant.outbox.autoconfigure.OutboxAutoConfiguration",
            "dev.reliant.outbox.autoconfigure.OutboxObservabilityAutoConfiguration"),

    SAGA("dev.reliant.saga.autoconfigure.SagaAutoConfiguration", "dev.reliant.saga.autoconfigure.SagaWebAutoConfiguration",
            "dev.reliant.saga.autoconfigure.SagaActuatorAutoConfiguration"),

    MODULITH("org.springframework.modulith.events.config.EventPublicationAutoConfiguration",
            "org.springframework.modulith.events.config.EventExternalizationAutoConfiguration",
            "org.springframework.modulith.events.jdbc.JdbcEventPublicationAutoConfiguration",
            "org.springframework.modulith.moments.autoconfigure.MomentsAutoConfiguration",
            "org.springframework.modulith.moments.autoconfigure.MomentsJacksonAutoConfiguration"),

    NAMASTACK("io.namastack.outbox.config.OutboxCoreInfrastructureAutoConfiguration",
            "io.namastack.outbox.config.OutboxCoreThreadingAutoConfiguration",
            "io.namastack.outbox.config.OutboxCoreProcessingAutoConfiguration",
            "io.namastack.outbox.config.OutboxCoreSchedulingAutoConfiguration",
            "io.namastack.outbox.config.OutboxCoreMulticasterAutoConfiguration",
            "io.namastack.outbox.OutboxJacksonAutoConfiguration", "io.namastack.outbox.config.JdbcOutboxAutoConfiguration",
            "io.namastack.outbox.config.JdbcOutboxSchemaAutoConfiguration"),

    RABBIT("org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration"),

    KAFKA("org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"),

    JDBC("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration");

    private final String[] classes;

    Excluded(String... classes) {
        this.classes = classes;
    }

    /** The {@code spring.autoconfigure.exclude} property that leaves out the given groups. */
    public static String property(Excluded... groups) {
        return "spring.autoconfigure.exclude=" + Arrays.stream(groups)
            .flatMap(group -> Arrays.stream(group.classes))
            .collect(Collectors.joining(","));
    }

}
