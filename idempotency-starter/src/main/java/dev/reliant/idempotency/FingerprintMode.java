package dev.reliant.idempotency;

/** How the request body enters the fingerprint that tells a retry from a different request reusing a key. */
public enum FingerprintMode {

    /** Whatever {@code reliant.idempotency.fingerprint} says. */
    DEFAULT,

    /** The body bytes exactly as received. */
    BODY,

    /**
     * The body parsed as JSON and written back with object members sorted and insignificant white space removed,
     * so that clients which serialise the same document differently still match. Falls back to the raw bytes
     * when the body is not JSON.
     */
    CANONICAL_JSON,

    /** Method, path and query only: any body is accepted for a key once used. */
    IGNORE_BODY

}
