package dev.reliant.outbox;

import java.util.Map;

/**
 * Adds headers to every message when it is written, such as the current trace context. Headers given by the
 * caller win over contributed ones.
 */
@FunctionalInterface
public interface OutboxHeaderContributor {

    void contribute(Map<String, String> headers);

}
