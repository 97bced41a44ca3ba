package dev.reliant.idempotency.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    private RecordCodec() {
    }

    public static byte[] encode(IdempotencyRecord record) {
        requireLength("owner", record.owner(), OWNER_LENGTH);
        requireLength("fingerprint", record.fingerprint(), FINGERPRINT_LENGTH);
        int bodyLength = (record.response() != null) ? record.response().body().length : 0;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(bodyLength + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(stateCode(record.state()));
            out.write(record.owner().getBytes(StandardCharsets.US_ASCII));
            out.write(record.fingerprint().getBytes(StandardCharsets.US_ASCII));
            out.writeLong(record.expiresAt().toEpochMilli());
            if (record.state() != RecordState.IN_PROGRESS) {
                ResponseCodec.write(record.response(), out);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    public static IdempotencyRecord decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readByte() != VERSION) {
                throw new IllegalStateException("Unknown record version");
            }
            RecordState state = state(in.readByte());
            String owner = readAscii(in, OWNER_LENGTH);
            String fingerprint = readAscii(in, FINGERPRINT_LENGTH);
            Instant expiresAt = Instant.ofEpochMilli(in.readLong());
            StoredResponse response = (state != RecordState.IN_PROGRESS) ? ResponseCodec.read(in) : null;
            return new IdempotencyRecord(state, owner, fingerprint, response, expiresAt);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Stored record is corrupt", ex);
        }
    }

    private static String readAscii(DataInputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
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
