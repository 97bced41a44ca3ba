package dev.reliant.saga.core;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;

import dev.reliant.saga.CompensationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.ReflectionUtils;

/** One {@code @Compensation} method, called with arguments read back from their JSON form. */
public final class CompensationHandler {

    private final Object bean;

    private final Method method;

    private final int argumentCount;

    CompensationHandler(Object bean, Method method) {
        this.bean = bean;
        this.method = method;
        ReflectionUtils.makeAccessible(method);
        int count = 0;
        for (Class<?> type : method.getParameterTypes()) {
            if (type != CompensationContext.class) {
                count++;
            }
        }
        this.argumentCount = count;
    }

    /** Fails when {@code arguments} cannot be bound to this handler's parameters. */
    void checkArguments(String name, List<Object> arguments) {
        if (arguments.size() != argumentCount) {
            throw new IllegalArgumentException("@Compensation(\"" + name + "\") " + method + " takes " + argumentCount
                    + " argument(s), the step gave " + arguments.size());
        }
    }

    void invoke(JsonMapper json, String arguments, CompensationContext context) throws Exception {
        JsonNode values = json.readTree(arguments);
        Type[] types = method.getGenericParameterTypes();
        Object[] parameters = new Object[types.length];
        int next = 0;
        for (int i = 0; i < types.length; i++) {
            parameters[i] = (method.getParameterTypes()[i] == CompensationContext.class) ? context
                    : json.treeToValue(values.get(next++), json.constructType(types[i]));
        }
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

    @Override
    public String toString() {
        return method.toString();
    }

}
