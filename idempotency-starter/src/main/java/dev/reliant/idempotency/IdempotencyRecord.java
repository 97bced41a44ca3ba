package dev.reliant.idempotency;

import java.time.Instant;

/**
 * What a store holds for one key.
 *
 * @param state where the request is
 * @param owner the token of the request that holds or held the claim; completing and releasing are fenced by it
 * @param fingerprint the fingerprint of the request that made the record
 * @param response the stored response when {@link RecordState#COMPLETED}; the status alone when
 * {@link RecordState#NOT_STORED}; {@code null} while in progress
 * @param expiresAt when the store forgets the record: the end of the lease while in progress, the end of the
 * retention afterwards
 */
public record IdempotencyRecord(RecordState state, String owner, String fingerprint, StoredResponse response,
        Instant expiresAt) {

}
