package dev.reliant.saga.jdbc;

import java.util.regex.Pattern;

import org.springframework.util.Assert;

/** The names of the saga log's two tables, checked because they are spliced into SQL. */
public record SagaTables(String sagas, String steps) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public SagaTables {
        Assert.isTrue(NAME.matcher(sagas).matches(), () -> "Invalid saga table name: " + sagas);
        Assert.isTrue(NAME.matcher(steps).matches(), () -> "Invalid step table name: " + steps);
    }

}
