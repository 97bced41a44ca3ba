package dev.reliant.sample.order;

import java.util.UUID;

import dev.reliant.outbox.Outbox;
import dev.reliant.sample.inventory.InventoryService;
import dev.reliant.sample.messaging.OrderEvents;
import dev.reliant.sample.payment.PaymentClient;
import dev.reliant.saga.Compensation;
import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.Saga;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Places an order as a saga of three steps: reserve stock, charge the payment, confirm the order. The first two
 * commit on their own (they stand for other services), so a failure after them is undone only by their
 * compensations, which the saga log keeps durable across crashes. The confirmation joins the request's transaction,
 * in which the idempotency starter also commits the request's outcome and the saga starter closes the saga: the
 * order, its event, the key's answer and the saga's completion commit together or not at all.
 */
@Service
public class OrderService {

    private final Saga saga;

    private final InventoryService inventory;

    private final PaymentClient payments;

    private final OrderConfirmation confirmation;

    private final SampleFaults faults;

    public OrderService(Saga saga, InventoryService inventory, PaymentClient payments,
            OrderConfirmation confirmation, SampleFaults faults) {
        this.saga = saga;
        this.inventory = inventory;
        this.payments = payments;
        this.confirmation = confirmation;
        this.faults = faults;
    }

    public Order place(String owner, PlaceOrder request, SampleFaults.Fault fault) {
        // Ids are chosen before each step runs, so a compensation recorded before the step knows what to undo.
        String reservationId = UUID.randomUUID().toString();
        saga.step("reserve-stock", () -> inventory.reserve(reservationId, request.sku(), request.quantity()),
                DurableCompensation.of("release-stock", reservationId));
        faults.afterReserve(fault);

        String chargeId = UUID.randomUUID().toString();
        faults.markCompensations(fault, reservationId, chargeId);
        saga.step("charge-payment",
                () -> payments.charge(chargeId, request.amountCents(), request.reference(), faults.paymentFails(fault)),
                DurableCompensation.of("refund-payment", chargeId));

        Order order = new Order(UUID.randomUUID(), request.sku(), request.quantity(), request.amountCents(),
                request.reference(), "CONFIRMED", owner, 0);
        confirmation.confirm(order, reservationId, chargeId);
        faults.afterCommit(fault);
        return order;
    }

    @Compensation("release-stock")
    public void releaseStock(String reservationId) {
        faults.compensating(reservationId);
        inventory.release(reservationId);
    }

    @Compensation("refund-payment")
    public void refundPayment(String chargeId) {
        faults.compensating(chargeId);
        payments.refund(chargeId);
    }

    /** The body of {@code POST /orders}. */
    public record PlaceOrder(String sku, int quantity, long amountCents, String reference) {
    }

    /**
     * Stores a confirmed order and its {@code order.created} event in one transaction: the request's, when the
     * request runs in one (an idempotent request does), so that they commit with its outcome.
     */
    @Service
    public static class OrderConfirmation {

        private final OrderRepository orders;

        private final Outbox outbox;

        public OrderConfirmation(OrderRepository orders, Outbox outbox) {
            this.orders = orders;
            this.outbox = outbox;
        }

        @Transactional
        public void confirm(Order order, String reservationId, String chargeId) {
            orders.insert(order, reservationId, chargeId);
            outbox.publish(OrderEvents.DESTINATION, order.id().toString(), OrderEvents.ORDER_CREATED, order);
        }
    }
}
