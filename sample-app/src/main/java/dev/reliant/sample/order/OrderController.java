package dev.reliant.sample.order;

import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.UUID;

import dev.reliant.idempotency.Idempotent;
import dev.reliant.sample.validation.NoControlCharacters;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The order API. {@code POST /orders} requires an {@code Idempotency-Key}. */
@RestController
class OrderController {

    private final OrderService orders;

    private final OrderRepository repository;

    private final SampleFaults faults;

    OrderController(OrderService orders, OrderRepository repository, SampleFaults faults) {
        this.orders = orders;
        this.repository = repository;
        this.faults = faults;
    }

    @Idempotent
    @PostMapping("/orders")
    ResponseEntity<Order> place(@Valid @RequestBody OrderRequest request, Principal principal,
            @RequestHeader(name = SampleFaults.HEADER, required = false) String faultHeader)
            throws InterruptedException {
        SampleFaults.Fault fault = faults.parse(faultHeader);
        Order order = orders.place(principal.getName(), new OrderService.PlaceOrder(request.sku(),
                request.quantity(), request.amountCents(), request.reference()), fault);
        faults.beforeReply(fault);
        return ResponseEntity.created(URI.create("/orders/" + order.id())).body(order);
    }

    @GetMapping("/orders/{id}")
    ResponseEntity<Order> get(@PathVariable UUID id, Principal principal) {
        return ResponseEntity.of(repository.find(id, principal.getName()));
    }

    @GetMapping("/orders")
    List<Order> byReference(@RequestParam @Size(max = 200) @NoControlCharacters String reference,
            Principal principal) {
        return repository.findByReference(principal.getName(), reference);
    }

    record OrderRequest(@NotBlank @Size(max = 64) @NoControlCharacters String sku, @NotNull @Min(1) Integer quantity,
            @NotNull @Min(1) Long amountCents, @Size(max = 200) @NoControlCharacters String reference) {
    }
}
