package dev.reliant.idempotency.codec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;

/**
 * A whole record as one byte string, for stores that keep a record under a single key. The fixed-width prefix
 * ({@code version, state, owner, fingerprint, expiry}) lets a server-side script check the state and owner with
 * plain substring comparisons, and read or rewrite the lease end in place, without decoding the response:
 *
 * <pre>
 * offset 0     1 byte   version '1'
 * offset 1     1 byte   state   'P' in progress, 'C' completed, 'N' not stored, 'U' unsettled
 * offset 2    32 bytes  owner token
 * offset 34   64 bytes  fingerprint (hex SHA-256)
 * offset 98    8 bytes  {@link IdempotencyRecord#expiresAt()}, epoch milliseconds, big-endian: the lease end while
 *                       in progress, the end of the retention afterwards
 * offset 106   ...      the response ({@link ResponseCodec}), absent while in progress
 * </pre>
 */
public final class RecordCodec {

    /** Length of an owner token: 128 random bits in hex. */
    public static final int OWNER_LENGTH = 32;

    /** Length of a fingerprint: a SHA-256 in hex. */
    public static final int FINGERPRINT_LENGTH = 64;

    private static final byte VERSION = '1';

    /** Version, state, owner, fingerprint and expiry. */
    private static final int PREFIX_LENGTH = 1 + 1 + OWNER_LENGTH + FINGERPRINT_LENGTH + 8;

    private RecordCodec() {
    }

    public static byte[] encode(IdempotencyRecord record) {
        requireLength("owner", record.owner(), OWNER_LENGTH);
        requireLength("fingerprint", record.fingerprint(), FINGERPRINT_LENGTH);
        boolean withResponse = record.state() != RecordState.IN_PROGRESS;
        byte[][] headers = withResponse ? ResponseCodec.headerBytes(record.response()) : null;
        ByteBuffer out = ByteBuffer
            .allocate(PREFIX_LENGTH + (withResponse ? ResponseCodec.size(record.response(), headers) : 0));
        out.put(VERSION);
        out.put(stateCode(record.state()));
        out.put(record.owner().getBytes(StandardCharsets.US_ASCII));
        out.put(record.fingerprint().getBytes(StandardCharsets.US_ASCII));
        out.putLong(record.expiresAt().toEpochMilli());
        if (withResponse) {
            ResponseCodec.write(record.response(), headers, out);
        }
        return out.array();
    }

    public static IdempotencyRecord decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != VERSION) {
                throw new IllegalStateException("Unknown record version");
            }
            RecordState state = state(in.get());
            String owner = readAscii(in, OWNER_LENGTH);
            String fingerprint = readAscii(in, FINGERPRINT_LENGTH);
            Instant expiresAt = Instant.ofEpochMilli(in.getLong());
            StoredResponse response = (state != RecordState.IN_PROGRESS) ? ResponseCodec.read(in) : null;
            return new IdempotencyRecord(state, owner, fingerprint, response, expiresAt);
        }
        catch (BufferUnderflowException | NegativeArraySizeException ex) {
            throw new IllegalStateException("Stored record is corrupt", ex);
        }
    }

    private static String readAscii(ByteBuffer in, int length) {
        if (in.remaining() < length) {
            throw new BufferUnderflowException();
        }
        String value = new String(in.array(), in.position(), length, StandardCharsets.US_ASCII);
        in.position(in.position() + length);
        return value;
    }

    private static byte stateCode(RecordState state) {
        return switch (state) {
            case IN_PROGRESS -> 'P';
            case COMPLETED -> 'C';
            case NOT_STORED -> 'N';
            case UNSETTLED -> 'U';
        };
    }

    private static RecordState state(byte code) {
        return switch (code) {
            case 'P' -> RecordState.IN_PROGRESS;
            case 'C' -> RecordState.COMPLETED;
            case 'N' -> RecordState.NOT_STORED;
            case 'U' -> RecordState.UNSETTLED;
            default -> throw new IllegalStateException("Unknown record state " + (char) code);
        };
    }

    private static void requireLength(String name, String value, int length) {
        if (value == null || value.length() != length) {
            throw new IllegalArgumentException(name + " must be " + length + " characters");
        }
    }
}
