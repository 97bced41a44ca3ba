package dev.reliant.outbox.tracing;

import java.util.Map;

import dev.reliant.outbox.OutboxHeaderContributor;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * Captures the trace context of the writing code (W3C {@code traceparent}, or whatever the configured propagation
 * writes) as message headers, so the consumer's span continues the trace of the business transaction rather than
 * the relay's.
 */
public class TraceContextHeaderContributor implements OutboxHeaderContributor {

    private final Tracer tracer;

    private final Propagator propagator;

    public TraceContextHeaderContributor(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public void contribute(Map<String, String> headers) {
        TraceContext context = tracer.currentTraceContext().context();
        if (context != null) {
            propagator.inject(context, headers, Map::put);
        }
    }
}
