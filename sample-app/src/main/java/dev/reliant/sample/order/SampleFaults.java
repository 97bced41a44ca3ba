package dev.reliant.sample.order;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Demonstration faults, chosen per request with the {@value #HEADER} header and honoured only when
 * {@code sample.faults.enabled=true}: {@code payment-unavailable}, {@code crash-after-reserve},
 * {@code crash-after-commit}, {@code crash-in-compensation}, {@code stuck-compensation} and {@code slow:<ms>}.
 */
@Component
public class SampleFaults {

    public static final String HEADER = "X-Sample-Fault";

    private static final Logger log = LoggerFactory.getLogger(SampleFaults.class);

    private final boolean enabled;

    /** Ids whose compensation goes wrong; gone with the process, so recovery after a restart finishes them. */
    private final Map<String, Kind> faultyCompensations = new ConcurrentHashMap<>();

    public SampleFaults(@Value("${sample.faults.enabled:false}") boolean enabled) {
        this.enabled = enabled;
    }

    public Fault parse(String header) {
        if (!enabled || header == null || header.isBlank()) {
            return Fault.NONE;
        }
        String value = header.trim();
        if (value.equals("payment-unavailable")) {
            return new Fault(Kind.PAYMENT_UNAVAILABLE, 0);
        }
        if (value.equals("crash-after-reserve")) {
            return new Fault(Kind.CRASH_AFTER_RESERVE, 0);
        }
        if (value.equals("crash-after-commit")) {
            return new Fault(Kind.CRASH_AFTER_COMMIT, 0);
        }
        if (value.equals("crash-in-compensation")) {
            return new Fault(Kind.CRASH_IN_COMPENSATION, 0);
        }
        if (value.equals("stuck-compensation")) {
            return new Fault(Kind.STUCK_COMPENSATION, 0);
        }
        if (value.startsWith("slow:")) {
            return new Fault(Kind.SLOW, Long.parseLong(value.substring("slow:".length())));
        }
        throw new IllegalArgumentException("Unknown " + HEADER + ": " + value);
    }

    /** Halts the process, as a power cut would, right after stock was reserved and the step recorded. */
    void afterReserve(Fault fault) {
        if (fault.kind() == Kind.CRASH_AFTER_RESERVE) {
            halt("crash-after-reserve");
        }
    }

    /**
     * Halts the process right after the transaction that placed the order committed, before its outcome reaches
     * the idempotency store and before the response is sent.
     */
    void afterCommit(Fault fault) {
        if (fault.kind() != Kind.CRASH_AFTER_COMMIT) {
            return;
        }
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            halt("crash-after-commit");
        }
        else {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

                @Override
                public void afterCommit() {
                    halt("crash-after-commit");
                }

            });
        }
    }

    /** Whether the provider is to fail this order's charge, so that the order is compensated. */
    boolean paymentFails(Fault fault) {
        return fault.kind() == Kind.PAYMENT_UNAVAILABLE || fault.kind() == Kind.CRASH_IN_COMPENSATION
                || fault.kind() == Kind.STUCK_COMPENSATION;
    }

    /**
     * Marks the compensations of an order whose compensation is to go wrong: the first one halts the process
     * ({@code crash-in-compensation}), or every one fails on every attempt ({@code stuck-compensation}).
     */
    void markCompensations(Fault fault, String... compensatedIds) {
        if (fault.kind() == Kind.CRASH_IN_COMPENSATION || fault.kind() == Kind.STUCK_COMPENSATION) {
            for (String id : compensatedIds) {
                faultyCompensations.put(id, fault.kind());
            }
        }
    }

    /** Called by each compensation first: halts or fails for an order marked by {@link #markCompensations}. */
    void compensating(String id) {
        Kind kind = faultyCompensations.get(id);
        if (kind == Kind.CRASH_IN_COMPENSATION) {
            halt("crash-in-compensation");
        }
        if (kind == Kind.STUCK_COMPENSATION) {
            throw new IllegalStateException(HEADER + ": stuck-compensation, this compensation always fails");
        }
    }

    private static void halt(String fault) {
        log.warn("{}: {}, halting now", HEADER, fault);
        Runtime.getRuntime().halt(137);
    }

    /** Pauses before the reply for {@code slow:<ms>}. */
    void beforeReply(Fault fault) throws InterruptedException {
        if (fault.kind() == Kind.SLOW) {
            Thread.sleep(fault.millis());
        }
    }

    /** The fault kinds. */
    public enum Kind {

        NONE, PAYMENT_UNAVAILABLE, CRASH_AFTER_RESERVE, CRASH_AFTER_COMMIT, CRASH_IN_COMPENSATION, STUCK_COMPENSATION,
        SLOW

    }

    /** A fault asked for by a request. */
    public record Fault(Kind kind, long millis) {

        static final Fault NONE = new Fault(Kind.NONE, 0);
    }
}
