package dev.reliant.idempotency;

import java.time.Instant;

/**
 * What a store holds for one key.
 *
 * @param state where the request is
 * @param owner the token of the request that holds or held the claim; completing and releasing are fenced by it
 * @param fingerprint the fingerprint of the request that made the record
 * @param response the stored response when {@link RecordState#COMPLETED}; the status (and perhaps a body) when
 * {@link RecordState#NOT_STORED} or {@link RecordState#UNSETTLED}; {@code null} while in progress
 * @param expiresAt while in progress, the end of the lease (which may have passed: the record stays until its
 * retention ends, and a claim then takes it over); afterwards, when the store forgets the record
 */
public record IdempotencyRecord(RecordState state, String owner, String fingerprint, StoredResponse response,
        Instant expiresAt) {

}
