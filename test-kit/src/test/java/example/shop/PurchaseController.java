package example.shop;

import java.util.Map;
import java.util.UUID;

import dev.reliant.idempotency.Idempotent;
import dev.reliant.outbox.Outbox;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Records a purchase and its event; once idempotent, once not, to show what the probe tells apart. */
@RestController
class PurchaseController {

    private final JdbcClient jdbc;

    private final Outbox outbox;

    PurchaseController(JdbcClient jdbc, Outbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    @Idempotent
    @PostMapping("/purchases")
    @Transactional
    ResponseEntity<Map<String, Object>> purchase(@RequestBody Map<String, String> request) {
        return record(request, "/purchases");
    }

    @PostMapping("/unguarded-purchases")
    @Transactional
    ResponseEntity<Map<String, Object>> unguarded(@RequestBody Map<String, String> request) {
        return record(request, "/unguarded-purchases");
    }

    private ResponseEntity<Map<String, Object>> record(Map<String, String> request, String route) {
        UUID id = UUID.randomUUID();
        String item = request.get("item");
        jdbc.sql("INSERT INTO purchase (id, item, route) VALUES (?, ?, ?)").params(id, item, route).update();
        outbox.publish("purchases", item, request.getOrDefault("type", "purchase.made"), Map.of("id", id));
        // long enough for the duplicates of a burst to arrive while it runs
        try {
            Thread.sleep(200);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("id", id, "item", item));
    }

}
