package dev.reliant.saga;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.framework.ProxyFactory;
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
            return wrap(dataSource, DataSource.class, (invocation) -> {
                Object result = invocation.proceed();
                return (result instanceof Connection connection) ? wrap(connection, Connection.class,
                        this::recordCommitsAndWrapStatements) : result;
            });
        }
        return bean;
    }

    private Object recordCommitsAndWrapStatements(MethodInvocation invocation)
            throws Throwable {
        String name = invocation.getMethod().getName();
        if (name.equals("commit") || name.equals("rollback")) {
            sent.add(name);
        }
        Object result = invocation.proceed();
        if (result instanceof Statement statement) {
            String prepared = sql(invocation.getArguments());
            return wrap(statement, invocation.getMethod().getReturnType(), (call) -> {
                if (call.getMethod().getName().startsWith("execute")) {
                    String sql = sql(call.getArguments());
                    sent.add((sql != null) ? sql : prepared);
                }
                return call.proceed();
            });
        }
        return result;
    }

    private static String sql(Object[] args) {
        return (args.length > 0 && args[0] instanceof String sql) ? sql : null;
    }

    private static <T> T wrap(Object target, Class<T> type, MethodInterceptor interceptor) {
        ProxyFactory factory = new ProxyFactory(target);
        factory.setInterfaces(type);
        factory.addAdvice(interceptor);
        return type.cast(factory.getProxy(RoundTrips.class.getClassLoader()));
    }

}
