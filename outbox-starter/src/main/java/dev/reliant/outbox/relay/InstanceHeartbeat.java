package dev.reliant.outbox.relay;

import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import dev.reliant.outbox.jdbc.RelayInstances;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this relaying instance alive in the database and gives up dead ones. Every beat renews this instance's
 * row for the instance timeout, registering under a new id if it was given up meanwhile, and takes over the claims
 * of instances whose rows expired. The workers send a message only while this instance is certainly still alive
 * in the other instances' eyes, so a claim taken over from an instance that only looked dead is not sent twice by
 * it afterwards.
 */
final class InstanceHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(InstanceHeartbeat.class);

    private final RelayInstances instances;

    private final Duration timeout;

    private final Duration interval;

    private final BooleanSupplier stopping;

    private volatile Life life;

    /**
     * Guards {@link #thread}. Not this object's monitor, which a beat holds through its statements: a stop must be
     * able to interrupt a beat that waits for a connection, not wait behind it for the pool's connection timeout.
     */
    private final Object threadLock = new Object();

    private Thread thread;

    /**
     * @param stopping whether the relay is stopping, when a failure is most likely the shutdown's own doing
     */
    InstanceHeartbeat(RelayInstances instances, Duration timeout, Duration interval, BooleanSupplier stopping) {
        this.instances = instances;
        this.timeout = timeout;
        this.interval = interval;
        this.stopping = stopping;
    }

    void start() {
        synchronized (threadLock) {
            if (thread != null) {
                return;
            }
            thread = new Thread(this::run, "reliant-outbox-relay-heartbeat");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Stops beating and removes this instance, whose claims must all be settled by now. */
    void stop() {
        Thread current;
        synchronized (threadLock) {
            current = thread;
            thread = null;
        }
        if (current == null) {
            return;
        }
        current.interrupt();
        try {
            current.join(interval.multipliedBy(2).toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        Life last = life;
        life = null;
        if (last != null) {
            try {
                instances.deregister(last.instance());
            }
            catch (RuntimeException ex) {
                log.debug("Could not remove the outbox relay instance {}; it expires by itself", last.instance(), ex);
            }
        }
    }

    /**
     * The id this instance claims under, registering it first if no beat has yet.
     * @return null when the instance could not be registered
     */
    UUID instance() {
        Life current = life;
        if (current == null) {
            beat();
            current = life;
        }
        return (current != null) ? current.instance() : null;
    }

    /** Whether {@code instance} is this instance's current id and certain to count as alive for a while yet. */
    boolean alive(UUID instance) {
        return instance.equals(aliveInstance());
    }

    /** This instance's current id if it is certain to count as alive for a while yet, else null. */
    UUID aliveInstance() {
        Life current = life;
        return (current != null && current.aliveUntil() - System.nanoTime() > 0) ? current.instance() : null;
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            beat();
            try {
                Thread.sleep(interval.toMillis());
            }
            catch (InterruptedException ex) {
                return;
            }
        }
    }

    private synchronized void beat() {
        // the row can only expire timeout after the renewing statement started
        long started = System.nanoTime();
        try {
            Life current = life;
            UUID instance = (current != null) ? current.instance() : null;
            if (instance == null || !instances.renew(instance, timeout)) {
                if (instance != null) {
                    log.warn("This outbox relay instance ({}) was given up for dead; its claims went to others",
                            instance);
                }
                instance = UUID.randomUUID();
                instances.register(instance, timeout);
            }
            life = new Life(instance, started + timeout.toNanos());
            instances.takeOverDead();
        }
        catch (RuntimeException ex) {
            if (stopping.getAsBoolean()) {
                log.debug("Outbox relay heartbeat ended by the shutdown", ex);
            }
            else {
                log.warn("Outbox relay heartbeat failed; trying again in {}", interval, ex);
            }
        }
    }

    /** An instance id and when, by {@link System#nanoTime()}, it stops counting as alive unless renewed. */
    private record Life(UUID instance, long aliveUntil) {
    }
}
