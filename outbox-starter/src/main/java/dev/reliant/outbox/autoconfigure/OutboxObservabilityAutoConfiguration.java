package dev.reliant.outbox.autoconfigure;

import dev.reliant.outbox.ParkedMessages;
import dev.reliant.outbox.actuate.OutboxEndpoint;
import dev.reliant.outbox.actuate.OutboxHealthIndicator;
import dev.reliant.outbox.jdbc.OutboxBacklog;
import dev.reliant.outbox.metrics.OutboxBacklogMetrics;
import dev.reliant.outbox.metrics.OutboxMeters;
import dev.reliant.outbox.tracing.TraceContextHeaderContributor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Metrics, health, the {@code outbox} Actuator endpoint and trace-context capture for the outbox, each when its
 * library is present.
 */
@AutoConfiguration(after = OutboxAutoConfiguration.class,
        afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
                "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration",
                "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration" })
@ConditionalOnBean(OutboxBacklog.class)
public final class OutboxObservabilityAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        OutboxMeters outboxMeters(MeterRegistry registry) {
            return new OutboxMeters(registry);
        }

        @Bean
        @ConditionalOnMissingBean
        OutboxBacklogMetrics outboxBacklogMetrics(OutboxBacklog backlog, OutboxProperties properties) {
            return new OutboxBacklogMetrics(backlog, properties.getMetrics().getRefreshInterval());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(AbstractHealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("outbox")
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "outboxHealthIndicator")
        OutboxHealthIndicator outboxHealthIndicator(OutboxBacklog backlog, OutboxProperties properties) {
            return new OutboxHealthIndicator(backlog, properties.getHealth().getMaxLag(),
                    properties.getHealth().getMaxParked());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
    @ConditionalOnAvailableEndpoint(OutboxEndpoint.class)
    static class Actuator {

        @Bean
        @ConditionalOnMissingBean
        OutboxEndpoint outboxEndpoint(ParkedMessages parkedMessages, OutboxBacklog backlog) {
            return new OutboxEndpoint(parkedMessages, backlog, 100);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Tracer.class)
    @ConditionalOnBean({ Tracer.class, Propagator.class })
    static class Tracing {

        @Bean
        @ConditionalOnMissingBean
        TraceContextHeaderContributor outboxTraceContextHeaderContributor(Tracer tracer, Propagator propagator) {
            return new TraceContextHeaderContributor(tracer, propagator);
        }
    }
}
