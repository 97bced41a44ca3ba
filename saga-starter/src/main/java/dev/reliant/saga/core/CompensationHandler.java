package dev.reliant.saga.core;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

import dev.reliant.saga.CompensationContext;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * One {@code @Compensation} method. Its arguments are converted to its parameter types when a step is recorded,
 * so a step whose arguments do not fit fails before its action runs, and read back from JSON when it is called.
 */
public final class CompensationHandler {

    private final String name;

    private final Object bean;

    private final Method method;

    /** The parameters that take an argument: all but the {@link CompensationContext} ones. */
    private final List<Integer> argumentParameters;

    CompensationHandler(String name, Object bean, Method method) {
        this.name = name;
        this.bean = bean;
        this.method = method;
        ReflectionUtils.makeAccessible(method);
        List<Integer> parameters = new ArrayList<>();
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            if (types[i] != CompensationContext.class) {
                parameters.add(i);
            }
        }
        this.argumentParameters = List.copyOf(parameters);
    }

    /**
     * The arguments as the JSON this handler will read them from; fails when their number differs from the
     * parameters', when one is not an instance of its parameter's type, or when it cannot be read back as one.
     */
    String argumentsJson(JsonMapper json, List<Object> arguments) {
        if (arguments.size() != argumentParameters.size()) {
            throw new IllegalArgumentException(describe() + " takes " + argumentParameters.size()
                    + " argument(s), the step gave " + arguments.size());
        }
        ArrayNode values = json.createArrayNode();
        for (int i = 0; i < arguments.size(); i++) {
            int parameter = argumentParameters.get(i);
            Class<?> type = method.getParameterTypes()[parameter];
            Object argument = arguments.get(i);
            if ((argument == null) ? type.isPrimitive() : !ClassUtils.isAssignableValue(type, argument)) {
                throw new IllegalArgumentException(describe() + " takes a " + type.getName() + " as argument "
                        + (i + 1) + ", the step gave " + ((argument != null) ? "a " + argument.getClass().getName()
                                : "null"));
            }
            JsonNode value = json.valueToTree(argument);
            try {
                json.treeToValue(value, parameterType(json, parameter));
            }
            catch (JacksonException ex) {
                throw new IllegalArgumentException(describe() + " cannot read argument " + (i + 1)
                        + " back from JSON as " + method.getGenericParameterTypes()[parameter] + ": "
                        + ex.getOriginalMessage(), ex);
            }
            values.add(value);
        }
        return json.writeValueAsString(values);
    }

    void invoke(JsonMapper json, String arguments, CompensationContext context) throws Exception {
        Object[] parameters = parameters(json, arguments, context);
        try {
            method.invoke(bean, parameters);
        }
        catch (InvocationTargetException ex) {
            if (ex.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (ex.getCause() instanceof Error error) {
                throw error;
            }
            throw ex;
        }
    }

    /**
     * The recorded arguments bound to this method's parameters. Recorded by another version of the application,
     * they may no longer fit: that fails with {@link IncompatibleArgumentsException}, never with a missing argument
     * silently passed as {@code null}.
     */
    private Object[] parameters(JsonMapper json, String arguments, CompensationContext context) {
        JsonNode values = json.readTree(arguments);
        if (!values.isArray() || values.size() != argumentParameters.size()) {
            throw new IncompatibleArgumentsException(describe() + " takes " + argumentParameters.size()
                    + " argument(s), the step was recorded with " + (values.isArray() ? values.size() : "no array of")
                    + " arguments: " + arguments);
        }
        Object[] parameters = new Object[method.getParameterCount()];
        int next = 0;
        for (int i = 0; i < parameters.length; i++) {
            if (method.getParameterTypes()[i] == CompensationContext.class) {
                parameters[i] = context;
                continue;
            }
            JsonNode value = values.get(next++);
            try {
                parameters[i] = json.treeToValue(value, parameterType(json, i));
            }
            catch (JacksonException ex) {
                throw new IncompatibleArgumentsException(describe() + " cannot read recorded argument " + next
                        + " " + value + " as " + method.getGenericParameterTypes()[i] + ": " + ex.getOriginalMessage());
            }
            if (parameters[i] == null && method.getParameterTypes()[i].isPrimitive()) {
                throw new IncompatibleArgumentsException(describe() + " cannot take the recorded null as argument "
                        + next);
            }
        }
        return parameters;
    }

    private JavaType parameterType(JsonMapper json, int parameter) {
        Type type = method.getGenericParameterTypes()[parameter];
        return json.constructType(type);
    }

    private String describe() {
        return "@Compensation(\"" + name + "\") " + method;
    }

    @Override
    public String toString() {
        return method.toString();
    }

}
