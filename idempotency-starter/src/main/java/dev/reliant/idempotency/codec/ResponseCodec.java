package dev.reliant.idempotency.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(response.body().length + 128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(response, out);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    public static StoredResponse decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return read(in);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Stored response is corrupt", ex);
        }
    }

    static void write(StoredResponse response, DataOutputStream out) throws IOException {
        out.writeShort(response.status());
        out.writeShort(response.headers().size());
        for (Map.Entry<String, String> header : response.headers()) {
            writeString(out, header.getKey());
            writeString(out, header.getValue());
        }
        out.writeInt(response.body().length);
        out.write(response.body());
    }

    static StoredResponse read(DataInputStream in) throws IOException {
        int status = in.readUnsignedShort();
        int count = in.readUnsignedShort();
        List<Map.Entry<String, String>> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            headers.add(Map.entry(readString(in), readString(in)));
        }
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new StoredResponse(status, headers, body);
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
