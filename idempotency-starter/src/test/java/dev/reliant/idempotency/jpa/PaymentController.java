package dev.reliant.idempotency.jpa;

import java.util.Map;
import java.util.UUID;

import dev.reliant.idempotency.Idempotent;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PaymentController {

    private final Payments payments;

    PaymentController(Payments payments) {
        this.payments = payments;
    }

    @Idempotent
    @PostMapping("/payments")
    ResponseEntity<Map<String, Object>> pay(@RequestParam String reference, @RequestParam long amountCents,
            @RequestParam(defaultValue = "false") boolean failAfterSaving) {
        Payment payment = payments.save(new Payment(reference, amountCents));
        if (failAfterSaving) {
            throw new IllegalStateException("declined after saving");
        }
        return ResponseEntity.status(HttpStatus.CREATED)
            .body(Map.of("id", payment.id().toString(), "nonce", UUID.randomUUID().toString()));
    }
}
