package dev.reliant.sample.order;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Demonstration faults, chosen per request with the {@value #HEADER} header and honoured only when
 * {@code sample.faults.enabled=true}: {@code payment-unavailable}, {@code crash-after-reserve} and
 * {@code slow:<ms>}.
 */
@Component
public class SampleFaults {

    public static final String HEADER = "X-Sample-Fault";

    private static final Logger log = LoggerFactory.getLogger(SampleFaults.class);

    private final boolean enabled;

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
        if (value.startsWith("slow:")) {
            return new Fault(Kind.SLOW, Long.parseLong(value.substring("slow:".length())));
        }
        throw new IllegalArgumentException("Unknown " + HEADER + ": " + value);
    }

    /** Halts the process, as a power cut would, right after stock was reserved and the step recorded. */
    void afterReserve(Fault fault) {
        if (fault.kind() == Kind.CRASH_AFTER_RESERVE) {
            log.warn("{}: crash-after-reserve, halting now", HEADER);
            Runtime.getRuntime().halt(137);
        }
    }

    /** Pauses before the reply for {@code slow:<ms>}. */
    void beforeReply(Fault fault) throws InterruptedException {
        if (fault.kind() == Kind.SLOW) {
            Thread.sleep(fault.millis());
        }
    }

    /** The fault kinds. */
    public enum Kind {

        NONE, PAYMENT_UNAVAILABLE, CRASH_AFTER_RESERVE, SLOW

    }

    /** A fault asked for by a request. */
    public record Fault(Kind kind, long millis) {

        static final Fault NONE = new Fault(Kind.NONE, 0);
    }
}
