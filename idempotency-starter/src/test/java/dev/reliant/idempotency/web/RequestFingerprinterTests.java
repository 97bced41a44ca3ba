package dev.reliant.idempotency.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.reliant.idempotency.FingerprintMode;
import dev.reliant.idempotency.IdempotencyScope;
import org.junit.jupiter.api.Test;

import jakarta.servlet.http.Part;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockPart;

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

    @Test
    void partsAreEncodedSoThatNoTwoDifferentListsAgree() throws IOException {
        List<byte[]> encodings = List.of(parts(part("file", "a.txt", "text/plain", "ab")),
                parts(part("filea", ".txt", "text/plain", "ab")), parts(part("file", "a.txt", "text/plai", "nab")),
                parts(part("file", null, "text/plain", "ab")), parts(part("file", "", "text/plain", "ab")),
                parts(part("file", "a.txt", null, "ab")),
                parts(part("file", "a.txt", "text/plain", "ac")),
                parts(part("file", "a.txt", "text/plain", "ab"), part("note", null, null, "")),
                parts(part("note", null, null, ""), part("file", "a.txt", "text/plain", "ab")), parts());
        Set<String> distinct = new HashSet<>();
        encodings.forEach(encoding -> distinct.add(new String(encoding, StandardCharsets.ISO_8859_1)));
        assertThat(distinct).hasSameSizeAs(encodings);
        assertThat(parts(part("file", "a.txt", "text/plain", "ab")))
            .isEqualTo(parts(part("file", "a.txt", "text/plain", "ab")));
    }

    private static byte[] parts(Part... parts) throws IOException {
        return RequestFingerprinter.canonicalParts(List.of(parts));
    }

    private static Part part(String name, String fileName, String contentType, String content) {
        MockPart part = new MockPart(name, fileName, content.getBytes(StandardCharsets.UTF_8));
        if (contentType != null) {
            part.getHeaders().set("Content-Type", contentType);
        }
        return part;
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
