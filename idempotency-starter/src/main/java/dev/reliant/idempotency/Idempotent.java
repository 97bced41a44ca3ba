package dev.reliant.idempotency;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a Spring MVC handler method (or every handler method of a controller) idempotent by the
 * {@code Idempotency-Key} request header: the first request with a key runs the handler and its response is
 * stored; a retry with the same key and the same request gets the stored response back without running the
 * handler again. Attributes left at their defaults take the values of {@code reliant.idempotency.*}.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Idempotent {

    /** Whether a request without an {@code Idempotency-Key} header is rejected (400) rather than run as usual. */
    boolean required() default true;

    /**
     * How long a stored response is kept and replayed, e.g. {@code "24h"} or {@code "PT30M"}. Empty means
     * {@code reliant.idempotency.retention}.
     */
    String ttl() default "";

    /**
     * How long a claim on a key holds without a heartbeat, e.g. {@code "30s"}. Empty means
     * {@code reliant.idempotency.lease}.
     */
    String lease() default "";

    /** What of the request body goes into the request fingerprint. */
    FingerprintMode fingerprint() default FingerprintMode.DEFAULT;

    /** Request headers that also go into the fingerprint, e.g. {@code Content-Type} or {@code Accept}. */
    String[] fingerprintHeaders() default {};

    /** Whose keys these are; by default the configured {@link IdempotencyScopeResolver}. */
    IdempotencyScope scope() default IdempotencyScope.DEFAULT;

}
