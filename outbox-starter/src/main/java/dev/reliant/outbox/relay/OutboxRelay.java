package dev.reliant.outbox.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
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
import dev.reliant.outbox.jdbc.CommitHandOff;
import dev.reliant.outbox.jdbc.RelayInstances;
import dev.reliant.outbox.jdbc.RelayStore;
import dev.reliant.outbox.jdbc.RelayStore.ClaimedMessage;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
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
 * <p>
 * As a {@link CommitHandOff}, the relay takes the messages of keys that this instance's writers leased to it, after
 * their commit, and an idle worker other than the first publishes them as it would a claimed batch, without the
 * claim. Their outcome is recorded by a thread of its own, which takes every batch published meanwhile into one
 * transaction: a worker is free for the next hand-over as soon as the broker has answered, and the database sees one
 * settle for many small batches. A relay with one worker takes no hand-overs: its only thread waits for
 * notifications.
 */
public class OutboxRelay implements SmartLifecycle, CommitHandOff {

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

    /** Committed messages handed over by this instance's writers, not yet taken by a worker. */
    private final Deque<Committed> handedOff = new ArrayDeque<>();

    /** Published hand-overs whose outcome is still to be recorded. */
    private final BlockingQueue<Batch> unsettled = new LinkedBlockingQueue<>();

    /** Whether the settling thread is to wait for more batches once it has recorded those there are. */
    private volatile boolean settling;

    private Thread settler;

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
            if (settings.workers() > 1) {
                settling = true;
                settler = new Thread(this::settleHandedOff, "reliant-outbox-relay-settler");
                settler.setDaemon(true);
                settler.start();
            }
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
        List<Committed> left;
        synchronized (idleWorkers) {
            left = new ArrayList<>(handedOff);
            handedOff.clear();
        }
        release(left);
        settling = false;
        Thread settling = settler;
        if (settling != null) {
            try {
                settling.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
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
            boolean claim = true;
            while (running) {
                try {
                    int handed = relayHandedOff();
                    int claimed = claim ? relayBatch() : 0;
                    if (handed + claimed == 0) {
                        if (first) {
                            pause(notifications);
                            claim = true;
                        }
                        else {
                            claim = awaitWakeUp();
                        }
                        continue;
                    }
                    // a claim that found messages may find more; a hand-over says nothing of what is due
                    claim = claimed > 0;
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
     * Waits until the first worker wakes the others, a writer of this instance commits or hands messages over, or
     * the poll interval passes.
     * @return whether to claim: false when only hand-overs (or the shutdown) ended the wait
     */
    private boolean awaitWakeUp() throws InterruptedException {
        long deadline = System.nanoTime() + settings.pollInterval().toNanos();
        synchronized (idleWorkers) {
            long seen = wakeUps;
            while (!stopping && handedOff.isEmpty()) {
                long remaining = deadline - System.nanoTime();
                if (wakeUps != seen || takeCommittedHere() || remaining <= 0) {
                    return true;
                }
                TimeUnit.NANOSECONDS.timedWait(idleWorkers, remaining);
            }
            return false;
        }
    }

    @Override
    public @Nullable UUID holder() {
        if (!running || stopping || settings.workers() < 2) {
            return null;
        }
        return heartbeat.aliveInstance();
    }

    @Override
    public Duration lease() {
        return settings.lease();
    }

    /**
     * Queues the messages for an idle worker other than the first. A relay that has stopped meanwhile releases their
     * keys at once on the caller's thread, so that a claim can take them.
     */
    @Override
    public void handOff(Committed committed) {
        synchronized (idleWorkers) {
            if (running && !stopping) {
                handedOff.add(committed);
                idleWorkers.notify();
                return;
            }
        }
        release(List.of(committed));
    }

    /** Gives up hand-overs that will not be sent: their keys are due for a claim at once. */
    private void release(List<Committed> commits) {
        if (commits.isEmpty()) {
            return;
        }
        Map<String, UUID> tokens = new LinkedHashMap<>();
        List<UUID> released = new ArrayList<>();
        for (Committed committed : commits) {
            committed.keys().forEach((key) -> tokens.put(key, committed.token()));
            committed.messages().forEach((message) -> released.add(message.message().id()));
        }
        try {
            store.complete(new RelayStore.Completion(tokens, List.of(), List.of(), List.of(), released));
        }
        catch (RuntimeException ex) {
            log.warn("Could not release {} handed-over outbox keys; they are relayed when their lease ends",
                    tokens.size(), ex);
        }
    }

    /**
     * Publishes the messages handed over since a worker last looked, all of them in one batch, and leaves recording
     * the outcome to the settling thread.
     * @return the number of messages handed over
     */
    private int relayHandedOff() {
        List<Committed> commits;
        synchronized (idleWorkers) {
            if (handedOff.isEmpty()) {
                return 0;
            }
            commits = new ArrayList<>(handedOff);
            handedOff.clear();
        }
        Map<String, UUID> tokens = new LinkedHashMap<>();
        List<RunOutcome> outcomes = new ArrayList<>();
        int messages = 0;
        for (Committed committed : commits) {
            committed.keys().forEach((key) -> tokens.put(key, committed.token()));
            for (List<ClaimedMessage> run : runs(committed.messages()).values()) {
                outcomes.add(new RunOutcome(run, committed.leasedAt(), committed.holder()));
            }
            messages += committed.messages().size();
        }
        relay(new Batch(tokens, outcomes), messages, false);
        return messages;
    }

    /**
     * Records the outcome of the published hand-overs, all those waiting in one transaction, until the relay stops
     * and none is left.
     */
    private void settleHandedOff() {
        while (true) {
            Batch first;
            try {
                first = unsettled.poll(STOP_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                if (!settling) {
                    return;
                }
                continue;
            }
            List<Batch> batches = new ArrayList<>();
            batches.add(first);
            unsettled.drainTo(batches);
            try {
                if (settle(batches) > 0) {
                    // later messages of these keys, left to a claim while the keys were leased, are due now
                    committedHere();
                }
            }
            catch (RuntimeException ex) {
                log.warn("Recording the outcome of {} handed-over outbox batches failed; their messages are sent"
                        + " again when their lease ends", batches.size(), ex);
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
        Map<String, List<ClaimedMessage>> runs = runs(claimed);
        Map<String, UUID> tokens = new LinkedHashMap<>();
        List<RunOutcome> outcomes = new ArrayList<>(runs.size());
        runs.forEach((key, run) -> {
            tokens.put(key, token);
            outcomes.add(new RunOutcome(run, claimedAt, instance));
        });
        relay(new Batch(tokens, outcomes), claimed.size(), true);
        return claimed.size();
    }

    /** Each key's messages, in the order given. */
    private static Map<String, List<ClaimedMessage>> runs(List<ClaimedMessage> messages) {
        Map<String, List<ClaimedMessage>> runs = new LinkedHashMap<>();
        messages.forEach((message) -> runs.computeIfAbsent(message.message().key(), (key) -> new ArrayList<>())
            .add(message));
        return runs;
    }

    /**
     * Publishes a batch of runs, then records its outcome now or leaves that to the settling thread.
     */
    private void relay(Batch batch, int messages, boolean settleNow) {
        // Observed only once something was claimed: an empty poll every few hundred milliseconds is no span.
        Observation observation = Observation.createNotStarted("reliant.outbox.relay", observations)
            .contextualName("outbox relay")
            .highCardinalityKeyValue("messages", Integer.toString(messages))
            .highCardinalityKeyValue("keys", Integer.toString(batch.tokens().size()))
            .start();
        try (Observation.Scope scope = observation.openScope()) {
            publish(batch.outcomes());
            if (settleNow) {
                settle(List.of(batch));
            }
            else {
                unsettled.add(batch);
            }
        }
        catch (RuntimeException ex) {
            observation.error(ex);
            throw ex;
        }
        finally {
            observation.stop();
        }
    }

    /**
     * Publishes the runs, the messages of each key one after another: a key's next message is sent as soon as its
     * previous one was acknowledged, whatever the other keys of the batch still wait for. The next messages of the
     * keys acknowledged meanwhile go to the publisher together, and every call into the publisher happens on this
     * thread, never on a broker client's I/O thread, where a blocking call could wait for itself. A message is sent
     * only while its lease is certainly this worker's: a key taken over is never sent again by its former holder.
     */
    private void publish(List<RunOutcome> outcomes) {
        BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
        List<RunOutcome> ready = outcomes;
        int outstanding = 0;
        while (true) {
            List<RunOutcome> sendable = new ArrayList<>(ready.size());
            for (RunOutcome outcome : ready) {
                if (stopping || System.nanoTime() - outcome.lastSend > 0 || !heartbeat.alive(outcome.holder)) {
                    outcome.unsentFrom = outcome.acknowledgedAt.size();
                }
                else {
                    sendable.add(outcome);
                }
            }
            if (!sendable.isEmpty()) {
                sendNext(sendable, answers);
                outstanding += sendable.size();
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

    /**
     * Records the outcome of published batches in one transaction.
     * @return how many of their keys are due at once for messages the batches did not have
     */
    private int settle(List<Batch> batches) {
        Map<String, UUID> tokens = new LinkedHashMap<>();
        List<RunOutcome> outcomes = new ArrayList<>();
        for (Batch batch : batches) {
            tokens.putAll(batch.tokens());
            outcomes.addAll(batch.outcomes());
        }
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
        int due = store.complete(new RelayStore.Completion(tokens, published, retries, parks, released));
        report(outcomes, parks);
        return due;
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

    /** Runs published together, and the token each of their keys is leased under. */
    private record Batch(Map<String, UUID> tokens, List<RunOutcome> outcomes) {
    }

    /** The broker's answer to one message: when it acknowledged it, or why not. */
    private record Answer(RunOutcome outcome, Observation publication, long acknowledgedAt, Throwable failure) {
    }

    /** What became of one key's run. */
    private final class RunOutcome {

        private final List<ClaimedMessage> run;

        private final long claimedAt;

        private final UUID holder;

        /** The last moment to start a send whose timeout cannot run past the lease ({@link System#nanoTime()}). */
        private final long lastSend;

        private final List<Long> acknowledgedAt = new ArrayList<>();

        private Throwable failure;

        private int unsentFrom;

        /**
         * @param claimedAt when, by {@link System#nanoTime()}, the run's lease was taken, no later than the database
         * started it
         * @param holder the instance the run is leased to
         */
        private RunOutcome(List<ClaimedMessage> run, long claimedAt, UUID holder) {
            this.run = run;
            this.claimedAt = claimedAt;
            this.holder = holder;
            this.lastSend = claimedAt + settings.lease().toNanos() - settings.publishTimeout().toNanos() * 3 / 2;
            this.unsentFrom = run.size();
        }
    }
}
