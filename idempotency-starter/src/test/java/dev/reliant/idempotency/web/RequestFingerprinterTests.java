package dev.reliant.idempotency.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.reliant.idempotency.FingerprintMode;
import dev.reliant.idempotency.IdempotencyScope;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class RequestFingerprinterTests {

    private final RequestFingerprinter fingerprinter = new RequestFingerprinter();

    @Test
    void canonicalJsonIgnoresMemberOrderAndWhiteSpace() {
        IdempotencyPolicy canonical = policy(FingerprintMode.CANONICAL_JSON);
        assertThat(fingerprint("{\"a\":1,\"b\":{\"y\":2,\"x\":[1,2]}}", canonical))
            .isEqualTo(fingerprint("{ \"b\" : { \"x\" : [1, 2], \"y\" : 2 }, \"a\" : 1 }", canonical))
            .isNotEqualTo(fingerprint("{\"a\":1,\"b\":{\"y\":2,\"x\":[2,1]}}", canonical));
        IdempotencyPolicy raw = policy(FingerprintMode.BODY);
        assertThat(fingerprint("{\"a\":1,\"b\":2}", raw)).isNotEqualTo(fingerprint("{\"b\":2,\"a\":1}", raw));
    }

    @Test
    void fieldsCannotBeShiftedIntoEachOther() {
        MockHttpServletRequest one = request("/ab", "");
        MockHttpServletRequest two = request("/a", "b");
        IdempotencyPolicy policy = policy(FingerprintMode.BODY);
        assertThat(fingerprinter.fingerprint(one, new byte[0], policy))
            .isNotEqualTo(fingerprinter.fingerprint(two, "b".getBytes(StandardCharsets.UTF_8), policy));
    }

    @Test
    void ignoringTheBodyKeepsMethodPathAndQuery() {
        IdempotencyPolicy policy = policy(FingerprintMode.IGNORE_BODY);
        assertThat(fingerprint("{\"a\":1}", policy)).isEqualTo(fingerprint("{\"a\":2}", policy));
    }

    @Test
    void chosenHeadersCount() {
        IdempotencyPolicy policy = new IdempotencyPolicy(true, Duration.ofHours(1), Duration.ofSeconds(30),
                FingerprintMode.BODY, List.of("Accept"), IdempotencyScope.DEFAULT);
        MockHttpServletRequest json = request("/x", "");
        json.addHeader("Accept", "application/json");
        MockHttpServletRequest xml = request("/x", "");
        xml.addHeader("Accept", "application/xml");
        assertThat(fingerprinter.fingerprint(json, new byte[0], policy))
            .isNotEqualTo(fingerprinter.fingerprint(xml, new byte[0], policy));
    }

    private String fingerprint(String body, IdempotencyPolicy policy) {
        return fingerprinter.fingerprint(request("/orders", body), body.getBytes(StandardCharsets.UTF_8), policy);
    }

    private static MockHttpServletRequest request(String path, String body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        return request;
    }

    private static IdempotencyPolicy policy(FingerprintMode mode) {
        return new IdempotencyPolicy(true, Duration.ofHours(1), Duration.ofSeconds(30), mode, List.of(),
                IdempotencyScope.DEFAULT);
    }
}
