package dev.reliant.benchmarks.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Counts what an application sends to its database: every statement executed (each {@code execute*} call is one
 * round trip with the PostgreSQL driver), per SQL text, and every commit or rollback (one more). Installed as a
 * {@link BeanPostProcessor} that wraps the application's {@link DataSource}, or applied by hand to any other.
 */
public final class CountingDataSource implements BeanPostProcessor {

    private final BooleanSupplier counted;

    private final LongAdder statements = new LongAdder();

    private final LongAdder commits = new LongAdder();

    private final Map<String, LongAdder> bySql = new ConcurrentHashMap<>();

    /** Counts every call, whichever thread makes it. */
    public CountingDataSource() {
        this(() -> true);
    }

    /**
     * Counts only the calls made while {@code counted} holds on the calling thread, so that a library's background
     * pollers, which cost per second rather than per operation, stay out of an operation's count.
     */
    public CountingDataSource(BooleanSupplier counted) {
        this.counted = counted;
    }

    public long statements() {
        return statements.sum();
    }

    public long commits() {
        return commits.sum();
    }

    /** Executions so far per SQL text. */
    public Map<String, Long> bySql() {
        Map<String, Long> snapshot = new TreeMap<>();
        bySql.forEach((sql, count) -> snapshot.put(sql, count.sum()));
        return snapshot;
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
            if ((name.equals("commit") || name.equals("rollback")) && counted.getAsBoolean()) {
                commits.increment();
            }
            Object result = invoke(target, method, args);
            String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : null;
            if (result instanceof CallableStatement statement) {
                return statement(CallableStatement.class, statement, sql);
            }
            if (result instanceof PreparedStatement statement) {
                return statement(PreparedStatement.class, statement, sql);
            }
            if (result instanceof Statement statement) {
                return statement(Statement.class, statement, sql);
            }
            return result;
        });
    }

    private <S extends Statement> S statement(Class<S> type, S statement, String prepared) {
        return proxy(type, statement, (target, method, args) -> {
            if (method.getName().startsWith("execute") && counted.getAsBoolean()) {
                statements.increment();
                String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : prepared;
                bySql.computeIfAbsent(String.valueOf(sql).replaceAll("\\s+", " ").strip(), key -> new LongAdder())
                    .increment();
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
