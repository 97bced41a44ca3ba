package dev.reliant.saga;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Records what an application sends through its {@link DataSource}: the SQL of each statement executed and each
 * commit or rollback, every one a round trip with the PostgreSQL driver.
 */
final class RoundTrips implements BeanPostProcessor {

    private final List<String> sent = new CopyOnWriteArrayList<>();

    /** The round trips made while {@code work} ran. */
    List<String> during(Runnable work) {
        int before = sent.size();
        work.run();
        return List.copyOf(sent.subList(before, sent.size()));
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource dataSource) {
            return proxy(DataSource.class, dataSource, (method, args) -> {
                Object result = invoke(dataSource, method, args);
                return (result instanceof Connection connection) ? connection(connection) : result;
            });
        }
        return bean;
    }

    private Connection connection(Connection connection) {
        return proxy(Connection.class, connection, (method, args) -> {
            if (method.getName().equals("commit") || method.getName().equals("rollback")) {
                sent.add(method.getName());
            }
            Object result = invoke(connection, method, args);
            if (result instanceof Statement statement) {
                return statement(method.getReturnType(), statement, sql(args));
            }
            return result;
        });
    }

    private Object statement(Class<?> type, Statement statement, String prepared) {
        return proxy(type, statement, (method, args) -> {
            if (method.getName().startsWith("execute")) {
                String sql = sql(args);
                sent.add((sql != null) ? sql : prepared);
            }
            return invoke(statement, method, args);
        });
    }

    private static String sql(Object[] args) {
        return (args != null && args.length > 0 && args[0] instanceof String sql) ? sql : null;
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        }
        catch (InvocationTargetException ex) {
            throw ex.getTargetException();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object target, Handler handler) {
        InvocationHandler invocation = (proxy, method, args) -> handler.handle(method, args);
        return (T) Proxy.newProxyInstance(RoundTrips.class.getClassLoader(), new Class<?>[] { type }, invocation);
    }

    @FunctionalInterface
    private interface Handler {

        Object handle(Method method, Object[] args) throws Throwable;

    }

}
