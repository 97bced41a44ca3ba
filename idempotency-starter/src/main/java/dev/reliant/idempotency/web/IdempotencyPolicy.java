package dev.reliant.idempotency.web;

import java.time.Duration;
import java.util.List;

import dev.reliant.idempotency.FingerprintMode;
import dev.reliant.idempotency.IdempotencyScope;

/**
 * How one endpoint is made idempotent, with every default already applied.
 *
 * @param required whether a request without a key is rejected
 * @param retention how long the response is replayed
 * @param lease how long a claim holds without renewal
 * @param fingerprint what of the body enters the fingerprint (never {@link FingerprintMode#DEFAULT})
 * @param fingerprintHeaders request headers that enter the fingerprint
 * @param scope whose keys these are
 */
public record IdempotencyPolicy(boolean required, Duration retention, Duration lease, FingerprintMode fingerprint,
        List<String> fingerprintHeaders, IdempotencyScope scope) {

    public IdempotencyPolicy {
        fingerprintHeaders = List.copyOf(fingerprintHeaders);
    }
}
