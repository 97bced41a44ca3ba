package dev.reliant.idempotency.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), which costs one round trip; the first call on a server that
 * does not know it yet falls back to {@code EVAL}, which also loads it. Which client sends it is the
 * {@link RedisStoreClient}'s business: this class names no client's types, so that either client may be absent.
 */
final class RedisScript {

    /** What a script answers. */
    enum Reply {

        /** A bulk string, or nil. */
        VALUE,

        /** An integer. */
        INTEGER

    }

    private final String source;

    private final String sha;

    private final Reply reply;

    private final byte[] sourceBytes;

    private final byte[] shaBytes;

    private RedisScript(String source, Reply reply) {
        this.source = source;
        this.sha = sha1(source);
        this.reply = reply;
        this.sourceBytes = source.getBytes(StandardCharsets.UTF_8);
        this.shaBytes = sha.getBytes(StandardCharsets.US_ASCII);
    }

    static RedisScript load(String name, Reply reply) {
        try (InputStream in = RedisScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("Missing script " + name + ".lua");
            }
            return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8), reply);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    String source() {
        return source;
    }

    String sha() {
        return sha;
    }

    Reply reply() {
        return reply;
    }

    /** The source in UTF-8, for clients that send binary arguments; not to be written to. */
    byte[] sourceBytes() {
        return sourceBytes;
    }

    /** The SHA-1 in ASCII, for clients that send binary arguments; not to be written to. */
    byte[] shaBytes() {
        return shaBytes;
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
