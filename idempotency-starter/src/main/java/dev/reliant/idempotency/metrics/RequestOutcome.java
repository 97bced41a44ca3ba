package dev.reliant.idempotency.metrics;

import java.util.Locale;

/** How the filter answered an idempotent request; the {@code outcome} tag of {@code reliant.idempotency.requests}. */
public enum RequestOutcome {

    /** The handler ran with a fresh claim. */
    EXECUTED,

    /** A stored response was replayed. */
    REPLAYED,

    /** A request with the same key was still running (409). */
    CONFLICT,

    /** The key was used for a different request (422). */
    MISMATCH,

    /** A required key was missing (400). */
    MISSING_KEY,

    /** The key header was malformed (400). */
    INVALID_KEY,

    /** The request had no scope where one is required (400). */
    MISSING_SCOPE,

    /** The request's scope was longer than allowed (400). */
    INVALID_SCOPE,

    /** The request body exceeded the limit (413). */
    TOO_LARGE,

    /** The request body could not be parsed (400). */
    MALFORMED,

    /** The key's response was not stored, so it could not be replayed (410). */
    NOT_REPLAYABLE,

    /** The store could not be reached (503, or executed without protection when failing open). */
    STORE_UNAVAILABLE,

    /** The handler ran, but its claim had passed to another request before it could store the response. */
    LEASE_LOST;

    /** The tag value. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
