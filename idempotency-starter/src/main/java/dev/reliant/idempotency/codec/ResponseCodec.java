package dev.reliant.idempotency.codec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.reliant.idempotency.StoredResponse;

/**
 * A compact binary form of a {@link StoredResponse}: status, headers, then the body bytes untouched, so that binary
 * and compressed bodies replay byte for byte without base64 or JSON escaping.
 */
public final class ResponseCodec {

    private ResponseCodec() {
    }

    public static byte[] encode(StoredResponse response) {
        byte[][] headers = headerBytes(response);
        ByteBuffer out = ByteBuffer.allocate(size(response, headers));
        write(response, headers, out);
        return out.array();
    }

    public static StoredResponse decode(byte[] bytes) {
        try {
            return read(ByteBuffer.wrap(bytes));
        }
        catch (BufferUnderflowException | NegativeArraySizeException ex) {
            throw new IllegalStateException("Stored response is corrupt", ex);
        }
    }

    /** Names and values of the response's headers in UTF-8, alternately, for {@link #size} and {@link #write}. */
    static byte[][] headerBytes(StoredResponse response) {
        byte[][] bytes = new byte[response.headers().size() * 2][];
        int i = 0;
        for (Map.Entry<String, String> header : response.headers()) {
            bytes[i++] = header.getKey().getBytes(StandardCharsets.UTF_8);
            bytes[i++] = header.getValue().getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    /** The encoded length, so that the encoding is written once into an array of its exact size. */
    static int size(StoredResponse response, byte[][] headers) {
        int size = 2 + 2 + 4 + response.body().length;
        for (byte[] value : headers) {
            size += 4 + value.length;
        }
        return size;
    }

    static void write(StoredResponse response, byte[][] headers, ByteBuffer out) {
        out.putShort((short) response.status());
        out.putShort((short) (headers.length / 2));
        for (byte[] value : headers) {
            out.putInt(value.length);
            out.put(value);
        }
        out.putInt(response.body().length);
        out.put(response.body());
    }

    static StoredResponse read(ByteBuffer in) {
        int status = Short.toUnsignedInt(in.getShort());
        int count = Short.toUnsignedInt(in.getShort());
        List<Map.Entry<String, String>> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            headers.add(Map.entry(readString(in), readString(in)));
        }
        byte[] body = new byte[in.getInt()];
        in.get(body);
        return new StoredResponse(status, headers, body);
    }

    private static String readString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        String value = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }
}
