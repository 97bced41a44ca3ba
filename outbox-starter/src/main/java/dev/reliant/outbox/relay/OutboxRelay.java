package dev.reliant.outbox.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.jdbc.RelayInstances;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.jdbc.RelayStore.ClaimedMessage;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Moves committed outbox messages to the broker. Each worker thread repeats: claim a batch of due keys in a short
 * transaction, publish outside any transaction (keys in parallel, the messages of one key one after another, each
 * only after the previous was acknowledged), then record the outcome in one short transaction. A message is marked
 * published only after the broker acknowledged it, so a crash between the two re-sends at most the batches in
 * flight, as soon as the other instances find the crashed one's heartbeat lapsed (or its lease run out). A worker
 * sends a message only while its claim is certainly still its own: within the lease, and while this instance
 * certainly still counts as alive. Workers share nothing but the table: a key claimed by one is not a head for
 * another until its run is settled, exactly as between instances, so while one worker waits for the broker another
 * claims or settles. When nothing is due, the first worker waits for a {@code NOTIFY} from a committing writer, or
 * the poll interval, whichever comes first, and wakes the others when it finds more than one batch's worth; a
 * commit of this instance's own writers wakes another worker directly ({@link #committedHere()}).
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private static final int MAX_ERROR_LENGTH = 2000;

    private static final Duration STOP_CHECK_INTERVAL = Duration.ofMillis(250);

    private final RelayStore store;

    private final InstanceHeartbeat heartbeat;

    private final OutboxPublisher publisher;

    private final RetryPolicy retryPolicy;

    private final RelaySettings settings;

    private final NotificationWaiter waiter;

    private final RelayObserver observer;

    private final ObservationRegistry observations;

    private final Object lifecycle = new Object();

    private volatile boolean running;

    private volatile boolean stopping;

    /** Where idle workers other than the first wait until the first finds more work than it can take alone. */
    private final Object idleWorkers = new Object();

    private long wakeUps;

    /** Whether this instance's writers committed messages that no claim begun since may have seen. */
    private boolean committedHere;

    /**
     * The worker claiming for this instance's commits, if one is: until its claim has read the due keys, the
     * commits meanwhile wait for the next such claim rather than wake another worker, so that claims follow one
     * another and each takes every commit since the last, instead of one claim per commit. The next claim need not
     * wait for the lease and the commit: it skips the keys the one before holds.
     */
    private Thread claimingForCommits;

    /** When a claim last found messages or a notification last arrived ({@link System#nanoTime()}). */
    private volatile long lastActive = System.nanoTime();

    private List<Thread> threads = List.of();

    /**
     * @param waiter the notification listener, or null to poll only
     */
    public OutboxRelay(RelayStore store, RelayInstances instances, OutboxPublisher publisher,
            RetryPolicy retryPolicy, RelaySettings settings, NotificationWaiter waiter, RelayObserver observer) {
        this(store, instances, publisher, retryPolicy, settings, waiter, observer, ObservationRegistry.NOOP);
    }

    /**
     * @param waiter the notification listener, or null to poll only
     * @param observations where each claimed batch and each publication are observed
     */
    public OutboxRelay(RelayStore store, RelayInstances instances, OutboxPublisher publisher,
            RetryPolicy retryPolicy, RelaySettings settings, NotificationWaiter waiter, RelayObserver observer,
            ObservationRegistry observations) {
        this.observations = observations;
        this.store = store;
        this.heartbeat = new InstanceHeartbeat(instances, settings.instanceTimeout(), settings.heartbeatInterval(),
                () -> stopping);
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
            synchronized (idleWorkers) {
                // a worker of the last run may have stopped between taking this instance's commits and claiming
                claimingForCommits = null;
            }
            if (waiter != null) {
                waiter.stopping(false);
            }
            heartbeat.start();
            List<Thread> started = new ArrayList<>(settings.workers());
            for (int worker = 0; worker < settings.workers(); worker++) {
                boolean first = worker == 0;
                Thread thread = new Thread(() -> loop(first),
                        "reliant-outbox-relay" + (first ? "" : "-" + worker));
                thread.setDaemon(true);
                thread.start();
                started.add(thread);
            }
            threads = started;
        }
    }

    /** Lets the batches in flight finish and settle, then stops. */
    @Override
    public void stop() {
        List<Thread> current;
        synchronized (lifecycle) {
            if (!running) {
                return;
            }
            running = false;
            stopping = true;
            current = threads;
            threads = List.of();
        }
        if (waiter != null) {
            waiter.stopping(true);
        }
        wakeIdleWorkers();
        long deadline = System.nanoTime() + settings.lease().toNanos();
        try {
            for (Thread thread : current) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        heartbeat.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void loop(boolean first) {
        NotificationWaiter notifications = first ? waiter : null;
        try {
            if (notifications != null) {
                // listening before the first look means no commit can fall between the two unnoticed
                notifications.listen();
            }
            while (running) {
                try {
                    int claimed = relayBatch();
                    if (claimed == 0) {
                        if (first) {
                            pause(notifications);
                        }
                        else {
                            awaitWakeUp();
                        }
                        continue;
                    }
                    lastActive = System.nanoTime();
                    if (first && claimed >= settings.batchSize()) {
                        // as many messages as keys claimed suggests a backlog: let the other workers take part
                        wakeIdleWorkers();
                    }
                }
                catch (RuntimeException ex) {
                    if (stopping) {
                        log.debug("Outbox relay round ended by the shutdown", ex);
                    }
                    else {
                        log.warn("Outbox relay round failed; trying again after the poll interval", ex);
                        pause(null);
                    }
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            if (notifications != null) {
                notifications.close();
            }
        }
    }

    /**
     * Tells the relay that a writer of this instance just committed messages: an idle worker other than the first
     * claims them at once, without waiting for the notification or the next poll, unless a claim for earlier
     * commits is still reading its due keys, after which the next one starts. When every such worker is busy, the
     * next to finish claims before it waits. The first worker is left alone; it is reading notifications from the
     * database, which covers writers of every instance. A relay with one worker therefore gains nothing from this.
     */
    public void committedHere() {
        synchronized (idleWorkers) {
            committedHere = true;
            if (claimingForCommits == null) {
                idleWorkers.notify();
            }
        }
    }

    /** Whether this instance's commits are this idle worker's to claim now, which makes them its own if so. */
    private boolean takeCommittedHere() {
        if (!committedHere || claimingForCommits != null) {
            return false;
        }
        committedHere = false;
        claimingForCommits = Thread.currentThread();
        return true;
    }

    /**
     * Ends this worker's claim for this instance's commits, if it was one, and passes on those committed since: once
     * its due keys are read, or when it did not get that far.
     */
    private void claimEnded() {
        synchronized (idleWorkers) {
            if (claimingForCommits == Thread.currentThread()) {
                claimingForCommits = null;
                if (committedHere) {
                    idleWorkers.notify();
                }
            }
        }
    }

    private void wakeIdleWorkers() {
        synchronized (idleWorkers) {
            wakeUps++;
            idleWorkers.notifyAll();
        }
    }

    /**
     * Waits until the first worker wakes the others, a writer of this instance commits, or the poll interval
     * passes.
     */
    private void awaitWakeUp() throws InterruptedException {
        long deadline = System.nanoTime() + settings.pollInterval().toNanos();
        synchronized (idleWorkers) {
            long seen = wakeUps;
            long remaining;
            while (!stopping && wakeUps == seen && !takeCommittedHere()
                    && (remaining = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(idleWorkers, remaining);
            }
        }
    }

    /**
     * Waits for the poll interval, or until a notification arrives when {@code notifications} is given, in slices
     * short enough for a prompt shutdown. Within a poll interval of the last notification or non-empty claim it
     * waits only the busy poll interval: writers that commit soon after a notified commit do not notify.
     */
    private void pause(NotificationWaiter notifications) throws InterruptedException {
        long now = System.nanoTime();
        boolean busy = notifications != null && now - lastActive < settings.pollInterval().toNanos();
        long deadline = now + (busy ? settings.busyPollInterval() : settings.pollInterval()).toNanos();
        long remaining;
        while (!stopping && (remaining = deadline - System.nanoTime()) > 0) {
            Duration slice = Duration.ofNanos(Math.min(remaining, STOP_CHECK_INTERVAL.toNanos()));
            if (notifications == null) {
                Thread.sleep(Math.max(1, slice.toMillis()));
            }
            else if (notifications.await(slice)) {
                lastActive = System.nanoTime();
                return;
            }
        }
    }

    /**
     * Claims, publishes and settles one batch.
     * @return the number of messages claimed; 0 when nothing was due
     */
    public int relayBatch() {
        UUID instance = heartbeat.instance();
        if (instance == null || !heartbeat.alive(instance)) {
            claimEnded();
            return 0;
        }
        UUID token = UUID.randomUUID();
        long claimedAt = System.nanoTime();
        List<ClaimedMessage> claimed;
        try {
            claimed = store.claim(settings.batchSize(), settings.messagesPerKey(), settings.lease(), token,
                    instance, this::claimEnded);
        }
        finally {
            claimEnded();
        }
        if (claimed.isEmpty()) {
            return 0;
        }
        Map<String, List<ClaimedMessage>> runs = new LinkedHashMap<>();
        claimed.forEach((message) -> runs.computeIfAbsent(message.message().key(), (key) -> new ArrayList<>())
            .add(message));
        List<RunOutcome> outcomes = new ArrayList<>(runs.size());
        runs.values().forEach((run) -> outcomes.add(new RunOutcome(run, claimedAt)));
        // Observed only once something was claimed: an empty poll every few hundred milliseconds is no span.
        Observation batch = Observation.createNotStarted("reliant.outbox.relay", observations)
            .contextualName("outbox relay")
            .highCardinalityKeyValue("messages", Integer.toString(claimed.size()))
            .highCardinalityKeyValue("keys", Integer.toString(runs.size()))
            .start();
        try (Observation.Scope scope = batch.openScope()) {
            publish(outcomes, claimedAt, instance);
            settle(token, new ArrayList<>(runs.keySet()), outcomes);
        }
        catch (RuntimeException ex) {
            batch.error(ex);
            throw ex;
        }
        finally {
            batch.stop();
        }
        return claimed.size();
    }

    /**
     * Publishes the runs, the messages of each key one after another: a key's next message is sent as soon as its
     * previous one was acknowledged, whatever the other keys of the batch still wait for. The next messages of the
     * keys acknowledged meanwhile go to the publisher together, and every call into the publisher happens on this
     * thread, never on a broker client's I/O thread, where a blocking call could wait for itself. A message is sent
     * only while the claim is certainly this worker's: a claim taken over is never sent again by its former holder.
     */
    private void publish(List<RunOutcome> outcomes, long claimedAt, UUID instance) {
        // No message is started so late that its timeout could run past the lease.
        long deadline = claimedAt + settings.lease().toNanos() - settings.publishTimeout().toNanos() * 3 / 2;
        BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
        List<RunOutcome> ready = outcomes;
        int outstanding = 0;
        while (true) {
            if (!ready.isEmpty()) {
                if (stopping || System.nanoTime() - deadline > 0 || !heartbeat.alive(instance)) {
                    ready.forEach((outcome) -> outcome.unsentFrom = outcome.acknowledgedAt.size());
                }
                else {
                    sendNext(ready, answers);
                    outstanding += ready.size();
                }
            }
            if (outstanding == 0) {
                return;
            }
            List<Answer> answered = awaitAnswers(answers);
            outstanding -= answered.size();
            ready = new ArrayList<>(answered.size());
            for (Answer answer : answered) {
                RunOutcome outcome = answer.outcome();
                if (answer.failure() == null) {
                    outcome.acknowledgedAt.add(answer.acknowledgedAt());
                    if (outcome.acknowledgedAt.size() < outcome.run.size()) {
                        ready.add(outcome);
                    }
                }
                else {
                    outcome.failure = RetryPolicy.unwrap(answer.failure());
                    outcome.unsentFrom = outcome.acknowledgedAt.size() + 1;
                    answer.publication().error(outcome.failure);
                }
                answer.publication().stop();
            }
        }
    }

    /** Sends the next message of each run, each answer to arrive in {@code answers}. */
    private void sendNext(List<RunOutcome> runs, BlockingQueue<Answer> answers) {
        List<OutboxMessage> messages = new ArrayList<>(runs.size());
        for (RunOutcome outcome : runs) {
            messages.add(outcome.run.get(outcome.acknowledgedAt.size()).message());
        }
        List<Observation> publications = messages.stream().map(this::publication).toList();
        List<CompletableFuture<Void>> sent = send(messages);
        for (int i = 0; i < runs.size(); i++) {
            RunOutcome outcome = runs.get(i);
            Observation publication = publications.get(i);
            sent.get(i).whenComplete((ignored, failure) -> answers
                .add(new Answer(outcome, publication, System.nanoTime(), failure)));
        }
    }

    /**
     * Waits for the next answer and takes every other one already there. Every send times out, so an answer
     * always comes; an interrupt is kept for later rather than leave sent messages unrecorded.
     */
    private static List<Answer> awaitAnswers(BlockingQueue<Answer> answers) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    List<Answer> answered = new ArrayList<>();
                    answered.add(answers.take());
                    answers.drainTo(answered);
                    return answered;
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The publication of one message, from its send to the broker's acknowledgement. */
    private Observation publication(OutboxMessage message) {
        return Observation.createNotStarted("reliant.outbox.publish", observations)
            .contextualName("outbox publish " + message.destination())
            .lowCardinalityKeyValue("destination", message.destination())
            .lowCardinalityKeyValue("type", message.type())
            .highCardinalityKeyValue("message.id", message.id().toString())
            .highCardinalityKeyValue("attempt", Integer.toString(message.attempt()))
            .start();
    }

    private List<CompletableFuture<Void>> send(List<OutboxMessage> messages) {
        List<CompletableFuture<Void>> published;
        try {
            published = publisher.publishAll(messages);
        }
        catch (RuntimeException ex) {
            published = messages.stream().map((message) -> CompletableFuture.<Void>failedFuture(ex)).toList();
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>(published.size());
        for (CompletableFuture<Void> each : published) {
            sent.add(each.copy().orTimeout(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        return sent;
    }

    private void settle(UUID token, List<String> keys, List<RunOutcome> outcomes) {
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
                    retries.add(new RelayStore.Retry(failed.id(), failed.key(), delay.get(), error));
                }
                else {
                    parks.add(new RelayStore.Park(failed.id(), failed.key(), error));
                }
            }
            for (int i = outcome.unsentFrom; i < outcome.run.size(); i++) {
                released.add(outcome.run.get(i).message().id());
            }
        }
        store.complete(new RelayStore.Completion(token, keys, published, retries, parks, released));
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

    /** The broker's answer to one message: when it acknowledged it, or why not. */
    private record Answer(RunOutcome outcome, Observation publication, long acknowledgedAt, Throwable failure) {
    }

    /** What became of one key's run. */
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
