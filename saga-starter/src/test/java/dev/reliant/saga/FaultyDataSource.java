package dev.reliant.saga;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The test's database, with faults armed on purpose: a connection request that throws, or a commit that is
 * made and then reported as failed (a connection lost after the server committed). Not closed with a context.
 */
final class FaultyDataSource extends DelegatingDataSource {

    private final AtomicReference<Fault> connectionFault = new AtomicReference<>();

    private final ThreadLocal<Boolean> failAfterCommit = new ThreadLocal<>();

    private final java.util.concurrent.atomic.AtomicInteger commitsLost = new java.util.concurrent.atomic.AtomicInteger();

    FaultyDataSource(DataSource target) {
        super(target);
    }

    /** The next connection asked for by a thread {@code on} accepts throws what {@code error} gives. */
    void failNextConnection(Predicate<Thread> on, Supplier<? extends Throwable> error) {
        connectionFault.set(new Fault(on, error));
    }

    boolean connectionFaultFired() {
        return connectionFault.get() == null;
    }

    /** The next commit on the calling thread is made, then reported as failed. */
    void failAfterNextCommitOnThisThread() {
        failAfterCommit.set(true);
    }

    /** How many commits were made and then reported as failed. */
    int commitsLost() {
        return commitsLost.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        Fault fault = connectionFault.get();
        if (fault != null && fault.on().test(Thread.currentThread()) && connectionFault.compareAndSet(fault, null)) {
            sneakyThrow(fault.error().get());
        }
        return wrap(super.getConnection());
    }

    private Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(connection, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                    if (method.getName().equals("commit") && Boolean.TRUE.equals(failAfterCommit.get())) {
                        failAfterCommit.remove();
                        commitsLost.incrementAndGet();
                        throw new SQLException("Injected: connection lost after the commit", "08006");
                    }
                    return result;
                });
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable error) throws E {
        throw (E) error;
    }

    private record Fault(Predicate<Thread> on, Supplier<? extends Throwable> error) {
    }

}
