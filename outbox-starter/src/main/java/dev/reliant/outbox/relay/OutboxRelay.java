package dev.reliant.outbox.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.jdbc.RelayStore.ClaimedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Moves committed outbox messages to the broker. One thread per instance repeats: claim a batch of due keys in a
 * short transaction, publish outside any transaction (keys in parallel, the messages of one key one after another,
 * each only after the previous was acknowledged), then record the outcome in one short transaction. A message is
 * marked published only after the broker acknowledged it, so a crash between the two re-sends at most the batch
 * in flight once its lease has run out. When nothing is due it waits for a {@code NOTIFY} from a committing writer,
 * or the poll interval, whichever comes first.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private static final int MAX_ERROR_LENGTH = 2000;

    private static final Duration STOP_CHECK_INTERVAL = Duration.ofMillis(250);

    private final RelayStore store;

    private final OutboxPublisher publisher;

    private final RetryPolicy retryPolicy;

    private final RelaySettings settings;

    private final NotificationWaiter waiter;

    private final RelayObserver observer;

    private final Object lifecycle = new Object();

    private volatile boolean running;

    private volatile boolean stopping;

    private Thread thread;

    /**
     * @param waiter the notification listener, or null to poll only
     */
    public OutboxRelay(RelayStore store, OutboxPublisher publisher, RetryPolicy retryPolicy, RelaySettings settings,
            NotificationWaiter waiter, RelayObserver observer) {
        this.store = store;
        this.publisher = publisher;
        this.retryPolicy = retryPolicy;
        this.settings = settings;
        this.waiter = waiter;
        this.observer = observer;
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (running) {
                return;
            }
            running = true;
            stopping = false;
            thread = new Thread(this::loop, "reliant-outbox-relay");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Lets the batch in flight finish and settle, then stops. */
    @Override
    public void stop() {
        Thread current;
        synchronized (lifecycle) {
            if (!running) {
                return;
            }
            running = false;
            stopping = true;
            current = thread;
            thread = null;
        }
        try {
            current.join(settings.lease().toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void loop() {
        try {
            while (running) {
                try {
                    if (relayBatch() == 0) {
                        pause(waiter);
                    }
                }
                catch (RuntimeException ex) {
                    log.warn("Outbox relay round failed; trying again after the poll interval", ex);
                    pause(null);
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            if (waiter != null) {
                waiter.close();
            }
        }
    }

    /**
     * Waits for the poll interval, or until a notification arrives when {@code notifications} is given, in slices
     * short enough for a prompt shutdown.
     */
    private void pause(NotificationWaiter notifications) throws InterruptedException {
        long deadline = System.nanoTime() + settings.pollInterval().toNanos();
        long remaining;
        while (!stopping && (remaining = deadline - System.nanoTime()) > 0) {
            Duration slice = Duration.ofNanos(Math.min(remaining, STOP_CHECK_INTERVAL.toNanos()));
            if (notifications == null) {
                Thread.sleep(Math.max(1, slice.toMillis()));
            }
            else if (notifications.await(slice)) {
                return;
            }
        }
    }

    /**
     * Claims, publishes and settles one batch.
     * @return the number of messages claimed; 0 when nothing was due
     */
    public int relayBatch() {
        UUID token = UUID.randomUUID();
        long claimedAt = System.nanoTime();
        List<ClaimedMessage> claimed = store.claim(settings.batchSize(), settings.messagesPerKey(), settings.lease(),
                token);
        if (claimed.isEmpty()) {
            return 0;
        }
        // No message is started so late that its timeout could run past the lease.
        long deadline = claimedAt + settings.lease().toNanos() - settings.publishTimeout().toNanos() * 3 / 2;
        Map<String, List<ClaimedMessage>> runs = new LinkedHashMap<>();
        claimed.forEach((message) -> runs.computeIfAbsent(message.message().key(), (key) -> new ArrayList<>())
            .add(message));
        List<RunOutcome> outcomes = new ArrayList<>(runs.size());
        List<CompletableFuture<Void>> sending = new ArrayList<>(runs.size());
        for (List<ClaimedMessage> run : runs.values()) {
            RunOutcome outcome = new RunOutcome(run, claimedAt);
            outcomes.add(outcome);
            sending.add(publishFrom(outcome, 0, deadline));
        }
        CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).join();
        settle(token, outcomes);
        return claimed.size();
    }

    private CompletableFuture<Void> publishFrom(RunOutcome outcome, int index, long deadline) {
        if (index == outcome.run.size()) {
            return CompletableFuture.completedFuture(null);
        }
        if (stopping || System.nanoTime() - deadline > 0) {
            outcome.unsentFrom = index;
            return CompletableFuture.completedFuture(null);
        }
        ClaimedMessage claimed = outcome.run.get(index);
        return send(claimed.message()).handle((ignored, failure) -> failure).thenCompose((failure) -> {
            if (failure != null) {
                outcome.failure = RetryPolicy.unwrap(failure);
                outcome.unsentFrom = index + 1;
                return CompletableFuture.completedFuture(null);
            }
            outcome.acknowledgedAt.add(System.nanoTime());
            return publishFrom(outcome, index + 1, deadline);
        });
    }

    private CompletableFuture<Void> send(OutboxMessage message) {
        try {
            return publisher.publish(message)
                .copy()
                .orTimeout(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void settle(UUID token, List<RunOutcome> outcomes) {
        List<UUID> published = new ArrayList<>();
        List<RelayStore.Retry> retries = new ArrayList<>();
        List<RelayStore.Park> parks = new ArrayList<>();
        List<UUID> released = new ArrayList<>();
        for (RunOutcome outcome : outcomes) {
            for (int i = 0; i < outcome.acknowledgedAt.size(); i++) {
                published.add(outcome.run.get(i).message().id());
            }
            if (outcome.failure != null) {
                OutboxMessage failed = outcome.run.get(outcome.acknowledgedAt.size()).message();
                Optional<Duration> delay = retryPolicy.nextDelay(failed.attempt(), outcome.failure);
                String error = describe(outcome.failure);
                if (delay.isPresent()) {
                    retries.add(new RelayStore.Retry(failed.id(), delay.get(), error));
                }
                else {
                    parks.add(new RelayStore.Park(failed.id(), error));
                }
            }
            for (int i = outcome.unsentFrom; i < outcome.run.size(); i++) {
                released.add(outcome.run.get(i).message().id());
            }
        }
        store.complete(new RelayStore.Completion(token, published, retries, parks, released));
        report(outcomes, parks);
    }

    private void report(List<RunOutcome> outcomes, List<RelayStore.Park> parks) {
        for (RunOutcome outcome : outcomes) {
            for (int i = 0; i < outcome.acknowledgedAt.size(); i++) {
                ClaimedMessage message = outcome.run.get(i);
                long sinceClaim = outcome.acknowledgedAt.get(i) - outcome.claimedAt;
                observer.published(message.message(),
                        Duration.ofMillis(message.ageMillis()).plusNanos(Math.max(0, sinceClaim)));
            }
            if (outcome.failure != null) {
                OutboxMessage failed = outcome.run.get(outcome.acknowledgedAt.size()).message();
                boolean parked = parks.stream().anyMatch((park) -> park.id().equals(failed.id()));
                if (parked) {
                    log.warn("Outbox message {} ({} to {}) parked after attempt {}", failed.id(), failed.type(),
                            failed.destination(), failed.attempt(), outcome.failure);
                    observer.parked(failed, outcome.failure);
                }
                else {
                    log.debug("Outbox message {} failed on attempt {}", failed.id(), failed.attempt(),
                            outcome.failure);
                    observer.failed(failed, outcome.failure);
                }
            }
        }
    }

    private static String describe(Throwable failure) {
        String text = failure.getClass().getName() + ": " + failure.getMessage();
        return (text.length() > MAX_ERROR_LENGTH) ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }

    /** What became of one key's run; written by the publishing callbacks one after another, read after all ended. */
    private static final class RunOutcome {

        private final List<ClaimedMessage> run;

        private final long claimedAt;

        private final List<Long> acknowledgedAt = new ArrayList<>();

        private Throwable failure;

        private int unsentFrom;

        private RunOutcome(List<ClaimedMessage> run, long claimedAt) {
            this.run = run;
            this.claimedAt = claimedAt;
            this.unsentFrom = run.size();
        }
    }
}
