package dev.reliant.idempotency.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The record's byte layout is read by the Redis scripts at fixed offsets (state, owner, expiry), and records written
 * by one version are read by the next: both are checked byte by byte here, beside the round trip.
 */
class RecordCodecTests {

    private static final String OWNER = "0123456789abcdef0123456789abcdef";

    private static final String FINGERPRINT = "f".repeat(64);

    private static final Instant EXPIRES = Instant.ofEpochMilli(1_764_000_000_123L);

    @Test
    void aCompletedRecordRoundTripsWithItsHeadersAndBinaryBody() {
        byte[] body = { 0, (byte) 0xff, 10, 13, '{', '}' };
        StoredResponse response = new StoredResponse(201,
                List.of(Map.entry("Content-Type", "application/json"), Map.entry("X-Grüße", "naïve ✓")), body);
        IdempotencyRecord record = new IdempotencyRecord(RecordState.COMPLETED, OWNER, FINGERPRINT, response,
                EXPIRES);

        IdempotencyRecord decoded = RecordCodec.decode(RecordCodec.encode(record));

        assertThat(decoded.state()).isEqualTo(RecordState.COMPLETED);
        assertThat(decoded.owner()).isEqualTo(OWNER);
        assertThat(decoded.fingerprint()).isEqualTo(FINGERPRINT);
        assertThat(decoded.expiresAt()).isEqualTo(EXPIRES);
        assertThat(decoded.response().status()).isEqualTo(201);
        assertThat(decoded.response().headers()).containsExactlyElementsOf(response.headers());
        assertThat(decoded.response().body()).containsExactly(body);
    }

    @Test
    void theLayoutIsTheDocumentedOneByteForByte() {
        StoredResponse response = new StoredResponse(200, List.of(Map.entry("A", "é")), new byte[] { 7 });
        byte[] encoded = RecordCodec
            .encode(new IdempotencyRecord(RecordState.COMPLETED, OWNER, FINGERPRINT, response, EXPIRES));

        ByteBuffer expected = ByteBuffer.allocate(106 + 2 + 2 + (4 + 1) + (4 + 2) + 4 + 1);
        expected.put((byte) '1').put((byte) 'C').put(OWNER.getBytes(StandardCharsets.US_ASCII))
            .put(FINGERPRINT.getBytes(StandardCharsets.US_ASCII)).putLong(EXPIRES.toEpochMilli());
        expected.putShort((short) 200).putShort((short) 1).putInt(1).put((byte) 'A').putInt(2)
            .put("é".getBytes(StandardCharsets.UTF_8)).putInt(1).put((byte) 7);
        assertThat(encoded).containsExactly(expected.array());
    }

    @Test
    void aRecordInProgressIsItsPrefixAlone() {
        byte[] encoded = RecordCodec
            .encode(new IdempotencyRecord(RecordState.IN_PROGRESS, OWNER, FINGERPRINT, null, EXPIRES));

        assertThat(encoded).hasSize(106);
        assertThat(encoded[1]).isEqualTo((byte) 'P');
        IdempotencyRecord decoded = RecordCodec.decode(encoded);
        assertThat(decoded.state()).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(decoded.response()).isNull();
        assertThat(decoded.expiresAt()).isEqualTo(EXPIRES);
    }

    @Test
    void aTruncatedRecordIsReportedAsCorrupt() {
        StoredResponse response = new StoredResponse(200, List.of(Map.entry("A", "b")), new byte[100]);
        byte[] encoded = RecordCodec
            .encode(new IdempotencyRecord(RecordState.COMPLETED, OWNER, FINGERPRINT, response, EXPIRES));

        for (int length : new int[] { 50, 106, 112, encoded.length - 1 }) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatIllegalStateException().as("cut at %d bytes", length)
                .isThrownBy(() -> RecordCodec.decode(truncated))
                .withMessageContaining("corrupt");
        }
    }
}
