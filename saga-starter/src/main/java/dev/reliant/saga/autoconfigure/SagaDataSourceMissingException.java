package dev.reliant.saga.autoconfigure;

import java.util.List;

/**
 * Thrown at startup when the saga starter is enabled but there is no single {@code DataSource} to keep the saga log
 * in: none at all, or several of which none is primary. Names the ones found, so that the failure analysis can tell
 * the two apart.
 */
public class SagaDataSourceMissingException extends IllegalStateException {

    private final List<String> dataSources;

    /**
     * @param dataSources the names of the {@code DataSource} beans found, none of them primary
     */
    public SagaDataSourceMissingException(List<String> dataSources) {
        super("The saga starter keeps its saga log in the application's DataSource, but " + (dataSources.isEmpty()
                ? "there is no DataSource bean."
                : "there are " + dataSources.size() + " DataSource beans (" + String.join(", ", dataSources)
                        + ") and none of them is primary."));
        this.dataSources = List.copyOf(dataSources);
    }

    /** The names of the {@code DataSource} beans found; empty when there is none. */
    public List<String> getDataSources() {
        return dataSources;
    }

}
