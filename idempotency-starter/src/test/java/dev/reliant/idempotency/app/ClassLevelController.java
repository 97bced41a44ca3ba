package dev.reliant.idempotency.app;

import java.util.Map;
import java.util.UUID;

import dev.reliant.idempotency.Idempotent;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code @Idempotent} on the class: its unsafe methods are idempotent, its reads are not. */
@RestController
@Idempotent
@RequestMapping("/api/class-level")
public class ClassLevelController {

    @GetMapping
    Map<String, Object> read(HttpServletRequest request) {
        return answer(request);
    }

    @PostMapping
    Map<String, Object> write(HttpServletRequest request) {
        return answer(request);
    }

    private static Map<String, Object> answer(HttpServletRequest request) {
        int execution = Executions.record(TestController.executionKey(request.getMethod() + " "
                + request.getRequestURI(), request.getHeader("Idempotency-Key"), request.getRemoteUser(), null));
        return Map.of("execution", execution, "nonce", UUID.randomUUID().toString());
    }
}
