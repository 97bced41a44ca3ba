package dev.reliant.saga;

import java.util.Arrays;
import java.util.List;

import org.springframework.util.Assert;

/**
 * A compensation that survives the process: the name of a {@link Compensation @Compensation} handler and the
 * arguments to call it with. The arguments are stored as JSON and bound to the handler's parameters in order
 * (a {@link CompensationContext} parameter takes no argument).
 */
public final class DurableCompensation {

    private final String handler;

    private final List<Object> arguments;

    private DurableCompensation(String handler, List<Object> arguments) {
        this.handler = handler;
        this.arguments = arguments;
    }

    /** The handler named {@code handler}, called with {@code arguments}. */
    public static DurableCompensation of(String handler, Object... arguments) {
        Assert.hasText(handler, "handler must not be empty");
        return new DurableCompensation(handler, Arrays.asList(arguments.clone()));
    }

    public String handler() {
        return handler;
    }

    public List<Object> arguments() {
        return arguments;
    }

}
