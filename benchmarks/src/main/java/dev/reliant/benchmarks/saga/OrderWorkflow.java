package dev.reliant.benchmarks.saga;

/** The order as a DBOS workflow; DBOS hands out a proxy of this interface that makes each call durable. */
public interface OrderWorkflow {

    void place();

}
