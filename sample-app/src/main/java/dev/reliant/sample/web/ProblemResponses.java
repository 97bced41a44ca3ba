package dev.reliant.sample.web;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Writes the sample's RFC 9457 problems from servlet filters, which answer before any controller advice could. */
public final class ProblemResponses {

    /** Where the sample's problem types live; a type is this and a short name. */
    public static final String TYPE_BASE = "https://reliant.dev/problems/sample/";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemResponses() {
    }

    /**
     * Answers with a problem of type {@link #TYPE_BASE} + {@code type}.
     *
     * @param retryAfter when a retry may succeed, sent as {@code Retry-After} in whole seconds; {@code null} for
     * none
     */
    public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String type, String detail, Duration retryAfter) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TYPE_BASE + type);
        problem.put("title", status.getReasonPhrase());
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        byte[] body = JSON.writeValueAsBytes(problem);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (retryAfter != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
