package dev.reliant.idempotency.app;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reliant.idempotency.Idempotent;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.BindException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Idempotent endpoints whose handlers write a row to the {@code ledger} table (through {@link Ledger}, a
 * {@code @Transactional} service) before they answer in every way a handler can: so that a test can tell, for each
 * outcome, whether the write committed and whether the handler ran again.
 */
@RestController
public class LedgerController {

    private final Ledger ledger;

    LedgerController(Ledger ledger) {
        this.ledger = ledger;
    }

    @Idempotent
    @PostMapping("/ledger/entries")
    ResponseEntity<Map<String, Object>> add(@Valid @RequestBody Entry entry, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.CREATED).body(write(entry.ref(), entry.amount(), request));
    }

    @Idempotent
    @PostMapping("/ledger/answers/{status}")
    ResponseEntity<Map<String, Object>> answer(@RequestParam String ref, @RequestParam int amount,
            @org.springframework.web.bind.annotation.PathVariable int status, HttpServletRequest request) {
        return ResponseEntity.status(status).body(write(ref, amount, request));
    }

    @Idempotent
    @PostMapping("/ledger/throws/{what}")
    Map<String, Object> throwing(@RequestParam String ref, @org.springframework.web.bind.annotation.PathVariable String what,
            HttpServletRequest request) throws Exception {
        write(ref, 1, request);
        throw switch (what) {
            case "runtime" -> new IllegalStateException("failed after writing");
            case "declined" -> new ResponseStatusException(HttpStatus.PAYMENT_REQUIRED, "declined after writing");
            case "bind" -> new BindException(new Object(), "entry");
            case "binding" -> new ServletRequestBindingException("bound too late");
            default -> new IllegalArgumentException(what);
        };
    }

    /**
     * Answers with a map, which the application can write only as JSON: a request that accepts only XML runs the
     * handler, then gets 406 while its answer is written.
     */
    @Idempotent
    @PostMapping("/ledger/json")
    Map<String, Object> json(@RequestParam String ref, HttpServletRequest request) {
        return write(ref, 1, request);
    }

    /** Returns a body that cannot be serialized: the error comes after the handler returned. */
    @Idempotent
    @PostMapping("/ledger/unserializable")
    Unserializable unserializable(@RequestParam String ref, HttpServletRequest request) {
        write(ref, 1, request);
        return new Unserializable();
    }

    /** Requires a header that an application exception handler answers for when it is missing. */
    @Idempotent
    @PostMapping("/ledger/with-header")
    Map<String, Object> withHeader(@RequestParam String ref, @RequestHeader("X-Account") String account,
            HttpServletRequest request) {
        return write(ref, 1, request);
    }

    @ExceptionHandler(BindException.class)
    ResponseEntity<ProblemDetail> unbound(BindException ex) {
        return ResponseEntity.badRequest().body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "unbound"));
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ProblemDetail> missingHeader(MissingRequestHeaderException ex) {
        return ResponseEntity.unprocessableContent()
            .body(ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, "header " + ex.getHeaderName()));
    }

    /** The name under which {@link Executions} counts the runs of handlers for {@code ref}. */
    public static String executions(String ref) {
        return "ledger|" + ref;
    }

    private Map<String, Object> write(String ref, int amount, HttpServletRequest request) {
        Executions.record(executions(ref));
        long id = ledger.add(ref, amount, request.getHeader(Ledger.HALT_HEADER));
        return Map.of("id", id, "ref", ref, "nonce", UUID.randomUUID().toString());
    }

    record Entry(@NotNull String ref, @NotNull @Min(1) Integer amount, List<String> tags) {
    }

    /** Jackson fails on this bean: its only property throws. */
    public static final class Unserializable {

        public String getValue() {
            throw new IllegalStateException("cannot be written");
        }
    }
}
