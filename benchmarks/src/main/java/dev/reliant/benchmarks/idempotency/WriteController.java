package dev.reliant.benchmarks.idempotency;

import java.util.Map;

import dev.reliant.idempotency.Idempotent;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The same JSON echo as {@link EchoController}, after writing one business row through {@link BusinessWriter}, with
 * and without {@code @Idempotent}: with the annotation the row and the request's durable outcome commit together.
 */
@RestController
public class WriteController {

    private final BusinessWriter writer;

    WriteController(BusinessWriter writer) {
        this.writer = writer;
    }

    @PostMapping("/bench/write/plain")
    Map<String, Object> plain(@RequestBody Map<String, Object> body) {
        writer.write(body.get("data"));
        return body;
    }

    @Idempotent
    @PostMapping("/bench/write/idempotent")
    Map<String, Object> idempotent(@RequestBody Map<String, Object> body) {
        writer.write(body.get("data"));
        return body;
    }

}
