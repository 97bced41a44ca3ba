package dev.reliant.idempotency.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), which costs one round trip; the first call on a server that
 * does not know it yet falls back to {@code EVAL}, which also loads it.
 */
final class RedisScript {

    private final String source;

    private final String sha;

    private final ScriptOutputType outputType;

    private RedisScript(String source, ScriptOutputType outputType) {
        this.source = source;
        this.sha = sha1(source);
        this.outputType = outputType;
    }

    static RedisScript load(String name, ScriptOutputType outputType) {
        try (InputStream in = RedisScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("Missing script " + name + ".lua");
            }
            return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8), outputType);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> commands, byte[] key, byte[]... args) {
        byte[][] keys = { key };
        CompletableFuture<T> bySha = commands.<T>evalsha(sha, outputType, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(ex -> {
            if (unwrap(ex) instanceof RedisNoScriptException) {
                return commands.<T>eval(source, outputType, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(ex);
        });
    }

    private static Throwable unwrap(Throwable ex) {
        return (ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
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
