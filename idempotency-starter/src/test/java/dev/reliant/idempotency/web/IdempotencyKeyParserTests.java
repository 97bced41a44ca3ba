package dev.reliant.idempotency.web;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyKeyParserTests {

    private final IdempotencyKeyParser parser = new IdempotencyKeyParser(16);

    @Test
    void bareTokenAndStructuredStringGiveTheSameKey() {
        assertThat(parse("abc-123")).isEqualTo(new IdempotencyKeyParser.Key("abc-123"));
        assertThat(parse("\"abc-123\"")).isEqualTo(new IdempotencyKeyParser.Key("abc-123"));
        assertThat(parse("  \"a b\"  ")).isEqualTo(new IdempotencyKeyParser.Key("a b"));
        assertThat(parse("\"q\\\"x\\\\\"")).isEqualTo(new IdempotencyKeyParser.Key("q\"x\\"));
    }

    @Test
    void noHeaderIsMissing() {
        assertThat(parser.parse(Collections.emptyEnumeration())).isInstanceOf(IdempotencyKeyParser.Missing.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "   ", "\"\"", "a,b", "\"a\",\"b\"", "\"a\";p=1", "a;p=1", "a b", "a\tb", "\"a\tb\"",
            "\"open", "\"bad\\escape\"", "\"x\"y", "caf\u00e9", "12345678901234567" })
    void malformedKeysAreInvalid(String header) {
        assertThat(parse(header)).isInstanceOf(IdempotencyKeyParser.Invalid.class);
    }

    @Test
    void repeatedHeaderIsInvalid() {
        assertThat(parser.parse(Collections.enumeration(List.of("a", "a"))))
            .isInstanceOf(IdempotencyKeyParser.Invalid.class);
    }

    @Test
    void keyOfExactlyTheLimitIsAccepted() {
        assertThat(parse("1234567890123456")).isInstanceOf(IdempotencyKeyParser.Key.class);
    }

    private IdempotencyKeyParser.Result parse(String header) {
        return parser.parse(Collections.enumeration(List.of(header)));
    }
}
