package dev.reliant.benchmarks.outbox;

/**
 * One writing transaction of the workload: one domain row and one event, returning the event's message id; without
 * an outbox, the domain row alone, returning its id.
 */
@FunctionalInterface
interface OrderWriter {

    String write();

}
