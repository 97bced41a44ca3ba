package dev.reliant.idempotency.web;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * Reads the key header. The IETF draft defines the key as a Structured Field string ({@code "abc"}); many clients
 * send a bare token ({@code abc}), so both are accepted. Anything ambiguous is rejected rather than guessed at: a
 * repeated header, a list, parameters, control characters, an empty or over-long key.
 */
public final class IdempotencyKeyParser {

    private final int maxLength;

    public IdempotencyKeyParser(int maxLength) {
        this.maxLength = maxLength;
    }

    public Result parse(Enumeration<String> headerValues) {
        List<String> values = new ArrayList<>(1);
        while (headerValues != null && headerValues.hasMoreElements()) {
            values.add(headerValues.nextElement());
        }
        if (values.isEmpty()) {
            return new Missing();
        }
        if (values.size() > 1) {
            return new Invalid("the header is repeated; send exactly one key");
        }
        String raw = trimOws(values.get(0));
        if (raw.isEmpty()) {
            return new Invalid("the key is empty");
        }
        Result result = (raw.charAt(0) == '"') ? parseString(raw) : parseToken(raw);
        if (result instanceof Key key && key.value().length() > maxLength) {
            return new Invalid("the key is longer than " + maxLength + " characters");
        }
        return result;
    }

    private static Result parseString(String raw) {
        StringBuilder key = new StringBuilder(raw.length());
        int i = 1;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '\\') {
                if (i + 1 >= raw.length() || (raw.charAt(i + 1) != '"' && raw.charAt(i + 1) != '\\')) {
                    return new Invalid("the key has an invalid escape");
                }
                key.append(raw.charAt(i + 1));
                i += 2;
                continue;
            }
            if (c == '"') {
                if (i != raw.length() - 1) {
                    return new Invalid("the key must be a single string, without parameters or list members");
                }
                return (key.length() == 0) ? new Invalid("the key is empty") : new Key(key.toString());
            }
            if (c < 0x20 || c > 0x7e) {
                return new Invalid("the key holds a control or non-ASCII character");
            }
            key.append(c);
            i++;
        }
        return new Invalid("the key's quoted string is not closed");
    }

    private static Result parseToken(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == ',') {
                return new Invalid("the header holds a list; send exactly one key");
            }
            if (c == ';') {
                return new Invalid("the key must not carry parameters");
            }
            if (c <= 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return new Invalid("the key holds white space, a control, quote or non-ASCII character");
            }
        }
        return new Key(raw);
    }

    private static String trimOws(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    /** What the header said. */
    public sealed interface Result {
    }

    /** No key header. */
    public record Missing() implements Result {
    }

    /** A key header that cannot be used; {@code reason} is safe to show the client. */
    public record Invalid(String reason) implements Result {
    }

    /** A usable key. */
    public record Key(String value) implements Result {
    }
}
