package dev.reliant.benchmarks.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Counts the commands the application's own Lettuce client sends, per command, so that other clients of a shared
 * Redis do not show up in the figures the way they do in {@code INFO commandstats}. Lettuce attaches command
 * listeners when it opens a connection, so this one is added as soon as the connection factory has its client.
 */
public final class CountingRedisClient implements BeanPostProcessor, CommandListener {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof LettuceConnectionFactory factory) {
            factory.getRequiredNativeClient().addListener(this);
        }
        return bean;
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        counts.computeIfAbsent(event.getCommand().getType().toString().toLowerCase(), name -> new LongAdder())
            .increment();
    }

    /** Calls per command name so far. */
    public Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new ConcurrentHashMap<>();
        counts.forEach((name, count) -> snapshot.put(name, count.sum()));
        return snapshot;
    }

}
