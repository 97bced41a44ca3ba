package dev.reliant.sample.order;

import java.net.URI;

import dev.reliant.sample.inventory.InsufficientStockException;
import dev.reliant.sample.inventory.UnknownSkuException;
import dev.reliant.sample.payment.PaymentDeclinedException;
import dev.reliant.sample.payment.PaymentUnavailableException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The sample's errors as RFC 9457 problems. */
@RestControllerAdvice
class ApiProblems {

    private static final String BASE = "https://reliant.dev/problems/sample/";

    private static final String PAYMENT_RETRY_AFTER_SECONDS = "1";

    @ExceptionHandler(InsufficientStockException.class)
    ProblemDetail outOfStock(InsufficientStockException ex) {
        return problem(HttpStatus.CONFLICT, "insufficient-stock", ex.getMessage());
    }

    @ExceptionHandler(UnknownSkuException.class)
    ProblemDetail unknownSku(UnknownSkuException ex) {
        return problem(HttpStatus.NOT_FOUND, "unknown-sku", ex.getMessage());
    }

    @ExceptionHandler(PaymentDeclinedException.class)
    ProblemDetail declined(PaymentDeclinedException ex) {
        return problem(HttpStatus.PAYMENT_REQUIRED, "payment-declined", ex.getMessage());
    }

    /** A retry may succeed once the provider answers again: the answer says when to try. */
    @ExceptionHandler(PaymentUnavailableException.class)
    ResponseEntity<ProblemDetail> paymentUnavailable(PaymentUnavailableException ex) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
            .header(HttpHeaders.RETRY_AFTER, PAYMENT_RETRY_AFTER_SECONDS)
            .body(problem(HttpStatus.SERVICE_UNAVAILABLE, "payment-unavailable", ex.getMessage()));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException ex) {
        return problem(HttpStatus.BAD_REQUEST, "bad-request", ex.getMessage());
    }

    private static ProblemDetail problem(HttpStatus status, String type, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(BASE + type));
        return problem;
    }
}
