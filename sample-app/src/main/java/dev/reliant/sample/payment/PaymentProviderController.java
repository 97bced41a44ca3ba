package dev.reliant.sample.payment;

import java.util.Map;

import dev.reliant.sample.validation.NoControlCharacters;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for an external payment provider, reached over HTTP like a real one, on a connector of its own and
 * only by the client holding its credentials. It declines charges above {@value #LIMIT_CENTS} cents, refuses
 * charges it cannot store as given with a 400 problem, and charges and refunds are idempotent by charge id, as
 * real providers' are by idempotency key. A charge refunded before it arrived is refused with 409.
 */
@RestController
class PaymentProviderController {

    static final long LIMIT_CENTS = 100_000;

    /** Header with which the sample's fault injection makes the provider fail. */
    static final String FAULT_HEADER = "X-Provider-Fault";

    private final ProviderLedger ledger;

    PaymentProviderController(ProviderLedger ledger) {
        this.ledger = ledger;
    }

    @PostMapping("/provider/charges")
    @Transactional
    ResponseEntity<Map<String, Object>> charge(@Valid @RequestBody Charge charge,
            @RequestHeader(name = FAULT_HEADER, required = false) String fault) {
        if ("unavailable".equals(fault)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "maintenance"));
        }
        if (charge.amountCents() > LIMIT_CENTS) {
            return ResponseEntity.status(HttpStatus.PAYMENT_REQUIRED).body(Map.of("declined", true));
        }
        if (!ledger.charge(charge.id(), charge.amountCents(), charge.reference())) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("id", charge.id(), "refunded", true));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("id", charge.id()));
    }

    @PostMapping("/provider/charges/{id}/refund")
    @Transactional
    Map<String, Object> refund(@PathVariable @Size(max = 64) @NoControlCharacters String id) {
        return Map.of("id", id, "refunded", ledger.refund(id));
    }

    record Charge(@NotBlank @Size(max = 64) @NoControlCharacters String id, @NotNull @Min(1) Long amountCents,
            @Size(max = 200) @NoControlCharacters String reference) {
    }
}
