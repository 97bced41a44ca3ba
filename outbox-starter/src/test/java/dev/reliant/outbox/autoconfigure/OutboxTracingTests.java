package dev.reliant.outbox.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.tracing.TraceContextHeaderContributor;
import dev.reliant.testsupport.TestPostgres;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxTracingTests {

    @Test
    void capturesTheWritersTraceContextAsMessageHeaders() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    OutboxAutoConfiguration.class, OutboxObservabilityAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.outbox.relay.enabled=false")
            .withUserConfiguration(Tracing.class)
            .run((context) -> {
                assertThat(context).hasSingleBean(TraceContextHeaderContributor.class);
                Tracer tracer = context.getBean(Tracer.class);
                Span span = tracer.nextSpan().name("place-order").start();
                UUID id;
                try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
                    id = context.getBean(TransactionTemplate.class)
                        .execute((status) -> context.getBean(Outbox.class).publish("orders", "o-1", "placed", Map.of()));
                }
                finally {
                    span.end();
                }
                String headers = new JdbcTemplate(context.getBean(DataSource.class))
                    .queryForObject("SELECT headers ->> 'traceparent' FROM reliant_outbox WHERE id = ?", String.class, id);
                assertThat(headers).isEqualTo("00-" + span.context().traceId() + "-" + span.context().spanId() + "-01");
            });
    }

    @Configuration(proxyBeanMethods = false)
    static class Tracing {

        @Bean
        SimpleTracer tracer() {
            return new SimpleTracer();
        }

        @Bean
        Propagator w3cPropagator() {
            return new Propagator() {
                @Override
                public List<String> fields() {
                    return List.of("traceparent");
                }

                @Override
                public <C> void inject(TraceContext context, C carrier, Setter<C> setter) {
                    setter.set(carrier, "traceparent", "00-" + context.traceId() + "-" + context.spanId() + "-01");
                }

                @Override
                public <C> Span.Builder extract(C carrier, Getter<C> getter) {
                    throw new UnsupportedOperationException("only injection is exercised");
                }
            };
        }
    }
}
