package dev.reliant.benchmarks.saga;

import java.util.List;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.workflow.Workflow;

/**
 * The saga's steps as one DBOS workflow: each step calls the participant, and DBOS checkpoints its result in its
 * system database, so that a recovered workflow resumes after the last completed step.
 */
final class DbosOrderWorkflow implements OrderWorkflow {

    private final DBOS dbos;

    private final Reservations reservations;

    private final List<String> steps;

    DbosOrderWorkflow(DBOS dbos, Reservations reservations, List<String> steps) {
        this.dbos = dbos;
        this.reservations = reservations;
        this.steps = steps;
    }

    @Override
    @Workflow
    public void place() {
        String id = DBOS.workflowId();
        for (String step : steps) {
            dbos.runStep(() -> reservations.reserve(id, step), step);
        }
    }

}
