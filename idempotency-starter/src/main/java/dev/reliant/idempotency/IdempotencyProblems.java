package dev.reliant.idempotency;

import java.net.URI;

/**
 * The {@code type} URIs of the RFC 9457 problems the idempotency filter answers with. They are stable: clients may
 * switch on them.
 */
public final class IdempotencyProblems {

    private static final String BASE = "https://reliant.dev/problems/idempotency/";

    /** 400: the endpoint requires an {@code Idempotency-Key} header and the request has none. */
    public static final URI KEY_MISSING = URI.create(BASE + "key-missing");

    /** 400: the header is empty, too long, repeated, a list, or holds characters a key may not have. */
    public static final URI KEY_INVALID = URI.create(BASE + "key-invalid");

    /** 400: keys are scoped by a tenant header (or a custom resolver) and the request carries no scope. */
    public static final URI SCOPE_MISSING = URI.create(BASE + "scope-missing");

    /**
     * 400: the request's scope (its user or tenant name) is longer than
     * {@code reliant.idempotency.scope.max-length}; the key was not used.
     */
    public static final URI SCOPE_INVALID = URI.create(BASE + "scope-invalid");

    /** 409: a request with the same key is still running; retry after {@code Retry-After} seconds. */
    public static final URI REQUEST_IN_PROGRESS = URI.create(BASE + "request-in-progress");

    /** 422: the key was used for a different request (method, path, query or body differ). */
    public static final URI KEY_REUSED = URI.create(BASE + "key-reused");

    /** 413: the request body is larger than an idempotent request may be; the key was not used. */
    public static final URI REQUEST_TOO_LARGE = URI.create(BASE + "request-too-large");

    /**
     * 400: the body cannot be read as its {@code Content-Type} says (a malformed multipart body); the key was not
     * used.
     */
    public static final URI REQUEST_MALFORMED = URI.create(BASE + "request-malformed");

    /**
     * 410: the request with this key was executed, but its response was too large (or streamed) to be stored, so
     * it cannot be replayed. It will not be executed again.
     */
    public static final URI RESPONSE_NOT_STORED = URI.create(BASE + "response-not-stored");

    /**
     * 409: the request with this key failed, and undoing what it had done did not finish (its saga's compensation is
     * stuck, or was left to another instance's recovery). It will not run again until an operator settles it.
     */
    public static final URI COMPENSATION_PENDING = URI.create(BASE + "compensation-pending");

    /**
     * 503: the request ran, but whether its changes were committed is not known (the database failed during the
     * commit). A retry after {@code Retry-After} gets its outcome, or runs it if nothing was committed.
     */
    public static final URI OUTCOME_UNKNOWN = URI.create(BASE + "outcome-unknown");

    /** 503: the idempotency store cannot be reached; nothing was executed. Retry after {@code Retry-After}. */
    public static final URI STORE_UNAVAILABLE = URI.create(BASE + "store-unavailable");

    private IdempotencyProblems() {
    }
}
