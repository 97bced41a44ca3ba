package dev.reliant.saga.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaRef;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.log.LogMessage;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.util.Assert;

/**
 * Renews, in one statement per beat, the lease of every saga this process owns, so that only a process that
 * stopped (or stalled longer than the lease) loses its sagas to recovery.
 */
public class LeaseKeeper implements InitializingBean, DisposableBean {

    private static final Log log = LogFactory.getLog(LeaseKeeper.class);

    private final JdbcSagaLog sagaLog;

    private final String owner;

    private final Duration lease;

    private final Duration renewInterval;

    private final Map<UUID, Long> owned = new ConcurrentHashMap<>();

    private ScheduledExecutorService scheduler;

    public LeaseKeeper(JdbcSagaLog sagaLog, String owner, Duration lease, Duration renewInterval) {
        Assert.isTrue(renewInterval.compareTo(lease) < 0, "The lease renewal interval must be shorter than the lease");
        this.sagaLog = sagaLog;
        this.owner = owner;
        this.lease = lease;
        this.renewInterval = renewInterval;
    }

    public String owner() {
        return owner;
    }

    public Duration lease() {
        return lease;
    }

    void track(SagaRef saga) {
        owned.put(saga.id(), saga.generation());
    }

    void untrack(SagaRef saga) {
        owned.remove(saga.id(), saga.generation());
    }

    @Override
    public void afterPropertiesSet() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reliant-saga-lease");
            thread.setDaemon(true);
            return thread;
        });
        long period = renewInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    void renew() {
        Map<UUID, Long> snapshot = new HashMap<>(owned);
        if (snapshot.isEmpty()) {
            return;
        }
        try {
            Set<UUID> renewed = sagaLog.renewLeases(owner, snapshot, lease);
            snapshot.forEach((id, generation) -> {
                if (!renewed.contains(id) && owned.remove(id, generation)) {
                    log.debug(LogMessage.format("Saga %s is no longer owned by %s", id, owner));
                }
            });
        }
        catch (RuntimeException | Error ex) {
            // an exception escaping a scheduled task cancels all its later runs, and every lease with them
            log.warn(LogMessage.format("Could not renew the leases of %d saga(s)", snapshot.size()), ex);
        }
    }

    @Override
    public void destroy() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

}
