package dev.reliant.idempotency.app;

import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * A streaming endpoint that a path rule over {@code /public/stream/b*} matches at run time although the rule and the
 * mapping, compared as texts at startup, do not meet.
 */
@RestController
public class StreamingController {

    @PostMapping("/public/stream/{name}.c")
    StreamingResponseBody stream(HttpServletRequest request) {
        Executions.record(TestController.executionKey(request.getRequestURI(), request.getHeader("Idempotency-Key"),
                null, null));
        return out -> out.write("streamed".getBytes(StandardCharsets.UTF_8));
    }
}
