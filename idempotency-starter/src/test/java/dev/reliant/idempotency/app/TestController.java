package dev.reliant.idempotency.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import dev.reliant.idempotency.Idempotent;
import dev.reliant.idempotency.IdempotencyScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;

/**
 * Endpoints that count every real execution in {@link Executions} under {@code path|key|user} and answer with a
 * random nonce, so that a replay is told from a second execution by its body alone.
 */
@RestController
public class TestController {

    @Idempotent
    @PostMapping("/api/orders")
    ResponseEntity<Map<String, Object>> createOrder(@RequestBody(required = false) Map<String, Object> order,
            HttpServletRequest request) {
        int execution = count(request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("execution", execution);
        body.put("order", order);
        body.put("nonce", UUID.randomUUID().toString());
        return ResponseEntity.status(HttpStatus.CREATED)
            .header(HttpHeaders.LOCATION, "/api/orders/" + UUID.randomUUID())
            .header(HttpHeaders.SET_COOKIE, "session=" + UUID.randomUUID())
            .header("X-Not-Replayed", "yes")
            .body(body);
    }

    @Idempotent
    @PostMapping("/api/things/{id}")
    Map<String, Object> postThing(@PathVariable String id, HttpServletRequest request) {
        return Map.of("execution", count(request), "id", id, "nonce", UUID.randomUUID().toString());
    }

    @Idempotent
    @PutMapping("/api/things/{id}")
    Map<String, Object> putThing(@PathVariable String id, HttpServletRequest request) {
        return Map.of("execution", count(request), "id", id, "nonce", UUID.randomUUID().toString());
    }

    @Idempotent
    @PostMapping("/api/slow")
    Map<String, Object> slow(@RequestParam long ms, HttpServletRequest request) throws InterruptedException {
        int execution = count(request);
        Thread.sleep(ms);
        return Map.of("execution", execution, "nonce", UUID.randomUUID().toString());
    }

    /** Sleeps for the X-Sleep-Ms header, which is not part of the fingerprint: a retry may be quick. */
    @Idempotent(lease = "1s")
    @PostMapping("/api/slow-short-lease")
    Map<String, Object> slowShortLease(@RequestHeader(name = "X-Sleep-Ms", defaultValue = "0") long ms,
            HttpServletRequest request)
            throws InterruptedException {
        int execution = count(request);
        Thread.sleep(ms);
        return Map.of("execution", execution, "nonce", UUID.randomUUID().toString());
    }

    @Idempotent
    @PostMapping("/api/fail/thrown")
    Map<String, Object> failThrown(HttpServletRequest request) {
        count(request);
        throw new IllegalStateException("payment provider exploded");
    }

    @Idempotent
    @PostMapping("/api/fail/returned")
    ResponseEntity<Map<String, Object>> failReturned(HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("execution", count(request)));
    }

    @Idempotent
    @PostMapping("/api/client-error")
    ResponseEntity<Map<String, Object>> clientError(HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.CONFLICT)
            .body(Map.of("execution", count(request), "error", "out of stock", "nonce", UUID.randomUUID()
                .toString()));
    }

    @Idempotent
    @PostMapping("/api/status-exception")
    Map<String, Object> statusException(HttpServletRequest request) {
        count(request);
        throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such customer");
    }

    @Idempotent
    @PostMapping("/api/validated")
    Map<String, Object> validated(@Valid @RequestBody Payload payload, HttpServletRequest request) {
        return Map.of("execution", count(request), "name", payload.name());
    }

    @Idempotent
    @PostMapping("/api/binary")
    ResponseEntity<byte[]> binary(HttpServletRequest request) throws IOException {
        int execution = count(request);
        byte[] raw = new byte[4096];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 31 + execution);
        }
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write(raw);
            gzip.write(UUID.randomUUID().toString().getBytes());
        }
        return ResponseEntity.ok()
            .contentType(MediaType.APPLICATION_OCTET_STREAM)
            .header(HttpHeaders.CONTENT_ENCODING, "gzip")
            .body(gzipped.toByteArray());
    }

    @Idempotent
    @PostMapping(value = "/api/large", produces = MediaType.TEXT_PLAIN_VALUE)
    String large(@RequestParam int bytes, HttpServletRequest request) {
        count(request);
        char[] text = new char[bytes];
        Arrays.fill(text, 'x');
        return new String(text);
    }

    /** Writes {@link #exportBody} in pieces, through the response's output stream or its writer. */
    @Idempotent
    @PostMapping("/api/export")
    void export(@RequestParam int bytes, @RequestParam boolean writer, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        count(request);
        byte[] body = exportBody(bytes);
        response.setContentType("text/plain;charset=UTF-8");
        int piece = 8000;
        if (writer) {
            Writer out = response.getWriter();
            for (int offset = 0; offset < body.length; offset += piece) {
                out.write(new String(body, offset, Math.min(piece, body.length - offset), StandardCharsets.US_ASCII));
            }
        }
        else {
            OutputStream out = response.getOutputStream();
            for (int offset = 0; offset < body.length; offset += piece) {
                out.write(body, offset, Math.min(piece, body.length - offset));
            }
        }
    }

    /**
     * Answers 500 with a large body while its saga is left {@code STUCK}: the key is held, but the response has
     * already gone out and cannot become a problem.
     */
    @Idempotent
    @PostMapping("/api/export/stuck")
    void exportStuck(@RequestParam int bytes, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        count(request);
        request.setAttribute("dev.reliant.saga.state", "STUCK");
        response.setStatus(HttpStatus.INTERNAL_SERVER_ERROR.value());
        response.setContentType(MediaType.TEXT_PLAIN_VALUE);
        response.getOutputStream().write(exportBody(bytes));
    }

    /** ASCII lines holding their own offset, so that a lost, repeated or misplaced piece shows. */
    public static byte[] exportBody(int bytes) {
        byte[] body = new byte[bytes];
        for (int line = 0; line < bytes; line += 10) {
            byte[] text = String.format("%09d\n", line).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, body, line, Math.min(text.length, bytes - line));
        }
        return body;
    }

    @Idempotent
    @PostMapping("/api/upload")
    ResponseEntity<Map<String, Object>> upload(@RequestParam MultipartFile file, @RequestParam String note,
            HttpServletRequest request) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("execution", count(request));
        body.put("file", file.getOriginalFilename());
        body.put("content", new String(file.getBytes(), StandardCharsets.UTF_8));
        body.put("note", note);
        body.put("nonce", UUID.randomUUID().toString());
        return ResponseEntity.status(HttpStatus.CREATED).body(body);
    }

    /** Takes the body as bytes, whatever its type, as an application parsing its uploads itself would. */
    @Idempotent
    @PostMapping("/api/raw")
    Map<String, Object> raw(@RequestBody byte[] body, HttpServletRequest request) {
        return Map.of("execution", count(request), "size", body.length, "nonce", UUID.randomUUID().toString());
    }

    @Idempotent(scope = IdempotencyScope.TENANT)
    @PostMapping("/api/tenant")
    Map<String, Object> tenant(HttpServletRequest request) {
        return Map.of("execution", count(request), "nonce", UUID.randomUUID().toString());
    }

    @Idempotent
    @PostMapping("/api/answer")
    ResponseEntity<Map<String, Object>> answer(@RequestParam int status, HttpServletRequest request) {
        return ResponseEntity.status(status).body(Map.of("execution", count(request)));
    }

    @Idempotent(required = false)
    @PostMapping("/api/optional")
    Map<String, Object> optional(HttpServletRequest request) {
        return Map.of("execution", count(request), "nonce", UUID.randomUUID().toString());
    }

    @PostMapping("/api/plain")
    Map<String, Object> plain(HttpServletRequest request) {
        return Map.of("execution", count(request), "nonce", UUID.randomUUID().toString());
    }

    @PostMapping("/public/ruled")
    Map<String, Object> ruled(HttpServletRequest request) {
        return Map.of("execution", count(request), "nonce", UUID.randomUUID().toString());
    }

    @PostMapping("/bench/plain")
    Map<String, Object> benchPlain(@RequestBody Map<String, Object> body) {
        return body;
    }

    @Idempotent
    @PostMapping("/bench/idempotent")
    Map<String, Object> benchIdempotent(@RequestBody Map<String, Object> body) {
        return body;
    }

    /** Counts one execution under {@code path|key|user|tenant}. */
    public static String executionKey(String path, String key, String user, String tenant) {
        return path + "|" + key + "|" + user + "|" + tenant;
    }

    private static int count(HttpServletRequest request) {
        String user = (request.getUserPrincipal() != null) ? request.getUserPrincipal().getName() : null;
        return Executions.record(executionKey(request.getRequestURI(), request.getHeader("Idempotency-Key"), user,
                request.getHeader("X-Tenant-Id")));
    }

    record Payload(@NotBlank String name) {
    }
}
