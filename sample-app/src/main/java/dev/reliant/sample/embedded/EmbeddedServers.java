package dev.reliant.sample.embedded;

import java.util.ArrayDeque;
import java.util.Deque;

import org.apache.commons.logging.Log;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.log.LogMessage;
import org.springframework.util.Assert;

/**
 * The embedded servers the sample started, stopped only once nothing in the application can use them any more.
 * They are a bean of the application context, and its first disposable one: Spring destroys disposable beans in the
 * reverse order of their registration, so the servers stop after every lifecycle component has stopped (the web
 * server, the outbox relay, saga recovery, listener containers) and after every other bean has been destroyed
 * (connection pools, Redis clients, schedulers). Had they stopped on a JVM shutdown hook of their own, they would
 * have gone away while the application was still closing its connections.
 */
final class EmbeddedServers implements DisposableBean {

    static final String BEAN_NAME = "sampleEmbeddedServers";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    private final Log log;

    EmbeddedServers(Log log) {
        this.log = log;
    }

    <S extends AutoCloseable> S add(S server) {
        started.push(server);
        return server;
    }

    boolean isEmpty() {
        return started.isEmpty();
    }

    /** Makes the servers a bean of {@code context} that is destroyed after all the others. */
    void registerIn(ConfigurableApplicationContext context) {
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        Assert.state(beanFactory instanceof DefaultSingletonBeanRegistry, "Unsupported bean factory " + beanFactory);
        beanFactory.registerSingleton(BEAN_NAME, this);
        ((DefaultSingletonBeanRegistry) beanFactory).registerDisposableBean(BEAN_NAME, this);
    }

    /** Stops the servers, the last started first. */
    @Override
    public void destroy() {
        while (!started.isEmpty()) {
            AutoCloseable server = started.pop();
            try {
                server.close();
            }
            catch (Exception ex) {
                log.warn(LogMessage.format("Could not stop %s cleanly", server), ex);
            }
        }
    }
}
