package dev.reliant.benchmarks.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Counts what an application sends to its database: every statement executed (each {@code execute*} call is one
 * round trip with the PostgreSQL driver) and every commit or rollback (one more). Installed as a
 * {@link BeanPostProcessor} that wraps the application's {@link DataSource}.
 */
public final class CountingDataSource implements BeanPostProcessor {

    private final LongAdder statements = new LongAdder();

    private final LongAdder commits = new LongAdder();

    public long statements() {
        return statements.sum();
    }

    public long commits() {
        return commits.sum();
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource dataSource) {
            return proxy(DataSource.class, dataSource, (target, method, args) -> {
                Object result = invoke(target, method, args);
                return result instanceof Connection connection ? connection(connection) : result;
            });
        }
        return bean;
    }

    private Connection connection(Connection connection) {
        return proxy(Connection.class, connection, (target, method, args) -> {
            String name = method.getName();
            if (name.equals("commit") || name.equals("rollback")) {
                commits.increment();
            }
            Object result = invoke(target, method, args);
            if (result instanceof CallableStatement statement) {
                return statement(CallableStatement.class, statement);
            }
            if (result instanceof PreparedStatement statement) {
                return statement(PreparedStatement.class, statement);
            }
            if (result instanceof Statement statement) {
                return statement(Statement.class, statement);
            }
            return result;
        });
    }

    private <S extends Statement> S statement(Class<S> type, S statement) {
        return proxy(type, statement, (target, method, args) -> {
            if (method.getName().startsWith("execute")) {
                statements.increment();
            }
            return invoke(target, method, args);
        });
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
    private static <T> T proxy(Class<T> type, T target, Handler handler) {
        InvocationHandler invocation = (proxy, method, args) -> handler.handle(target, method, args);
        return (T) Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] { type },
                invocation);
    }

    @FunctionalInterface
    private interface Handler {

        Object handle(Object target, Method method, Object[] args) throws Throwable;

    }

}
