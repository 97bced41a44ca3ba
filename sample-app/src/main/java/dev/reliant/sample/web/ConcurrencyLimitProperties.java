package dev.reliant.sample.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How many API requests run at once. Requests beyond the limit wait briefly for a slot, then get a 503 problem with
 * {@code Retry-After} instead of queueing for worker threads without bound. Actuator endpoints and the stand-in
 * payment provider are not limited.
 *
 * @param enabled whether the limit applies
 * @param maxRequests API requests that run at once; keep it below the database pool's size (10 by default), since an
 * order holds a connection for most of its time and the payment provider and health need connections too
 * @param maxWait how long a request beyond the limit waits for a slot before it is refused
 * @param retryAfter what a refused request is told to wait before it tries again (whole seconds, at least one)
 */
@ConfigurationProperties("sample.api.concurrency")
public record ConcurrencyLimitProperties(@DefaultValue("true") boolean enabled, @DefaultValue("8") int maxRequests,
        @DefaultValue("100ms") Duration maxWait, @DefaultValue("1s") Duration retryAfter) {
}
