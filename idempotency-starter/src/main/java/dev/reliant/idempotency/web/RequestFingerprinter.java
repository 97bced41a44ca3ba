package dev.reliant.idempotency.web;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.reliant.idempotency.FingerprintMode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SHA-256 that tells a retry from another request reusing its key: method, concrete path, query parameters in
 * a normal order, chosen headers, and the body. Fields are length-prefixed, so no two different requests can be
 * made to hash the same input by moving bytes between fields.
 */
public final class RequestFingerprinter {

    private static final JsonMapper CANONICAL = JsonMapper.builder()
        .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
        .build();

    private static final MessageDigest SHA_256 = prototype();

    public String fingerprint(HttpServletRequest request, byte[] body, IdempotencyPolicy policy) {
        MessageDigest digest = sha256();
        field(digest, request.getMethod());
        field(digest, request.getRequestURI());
        field(digest, normalisedQuery(request.getQueryString()));
        for (String header : policy.fingerprintHeaders()) {
            field(digest, header.toLowerCase(Locale.ROOT) + ":" + String.join(",", headerValues(request, header)));
        }
        switch (policy.fingerprint()) {
            case IGNORE_BODY -> field(digest, "");
            case CANONICAL_JSON -> field(digest, canonicalJson(body));
            default -> field(digest, body);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Query parameters decoded and sorted by name, then value; {@code ?b=2&a=1} and {@code ?a=1&b=2} agree. */
    static String normalisedQuery(String query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = (eq < 0) ? pair : pair.substring(0, eq);
            String value = (eq < 0) ? "" : pair.substring(eq + 1);
            pairs.add(Map.entry(decode(name), decode(value)));
        }
        pairs.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        StringBuilder normal = new StringBuilder();
        for (Map.Entry<String, String> pair : pairs) {
            normal.append(pair.getKey().length()).append(':').append(pair.getKey());
            normal.append(pair.getValue().length()).append(':').append(pair.getValue());
        }
        return normal.toString();
    }

    /** Form parameters as the container parsed them, for form posts whose body an earlier filter consumed. */
    static byte[] canonicalParameters(Map<String, String[]> parameters) {
        StringBuilder normal = new StringBuilder();
        parameters.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.naturalOrder())).forEach(e -> {
            normal.append(e.getKey().length()).append(':').append(e.getKey()).append('=');
            for (String value : e.getValue()) {
                normal.append(value.length()).append(':').append(value);
            }
        });
        return normal.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Multipart parts as the container parsed them, in request order: each part's name, submitted file name, content
     * type and content. Every field is length-prefixed and an absent one is told apart from an empty one, so no two
     * different part lists encode the same.
     */
    static byte[] canonicalParts(Collection<Part> parts) throws IOException {
        ByteArrayOutputStream canonical = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(canonical);
        out.writeInt(parts.size());
        for (Part part : parts) {
            optionalField(out, part.getName());
            optionalField(out, part.getSubmittedFileName());
            optionalField(out, part.getContentType());
            byte[] content;
            try (InputStream in = part.getInputStream()) {
                content = in.readAllBytes();
            }
            out.writeInt(content.length);
            out.write(content);
        }
        return canonical.toByteArray();
    }

    private static void optionalField(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] canonicalJson(byte[] body) {
        if (body.length == 0) {
            return body;
        }
        try {
            JsonNode tree = CANONICAL.readTree(body);
            return CANONICAL.writeValueAsBytes(tree);
        }
        catch (JacksonException ex) {
            return body;
        }
    }

    private static List<String> headerValues(HttpServletRequest request, String name) {
        List<String> values = new ArrayList<>();
        request.getHeaders(name).asIterator().forEachRemaining(values::add);
        return values;
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException ex) {
            return value;
        }
    }

    private static void field(MessageDigest digest, String value) {
        field(digest, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void field(MessageDigest digest, byte[] value) {
        int length = value.length;
        digest.update(new byte[] { (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8),
                (byte) length });
        digest.update(value);
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        }
        catch (CloneNotSupportedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Cloned for each request: a provider lookup per request costs more than the copy. */
    private static MessageDigest prototype() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.clone();
            return digest;
        }
        catch (NoSuchAlgorithmException | CloneNotSupportedException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
