package dev.reliant.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A real store whose next renewal or acquisition can be held at the gate, as a command waiting for its answer,
 * and then let through or failed. What reached the store, and when each call ended, is recorded in order.
 */
public final class GatedLockStore implements LockStore {

    private final LockStore store;

    private final List<String> calls = new CopyOnWriteArrayList<>();

    private volatile Gate renewals;

    private volatile Gate acquisitions;

    public GatedLockStore(LockStore store) {
        this.store = store;
    }

    /** Holds every renewal from now on at a gate; how it ends is {@code outcome}'s to say. */
    public Gate holdRenewals() {
        Gate gate = new Gate(false);
        renewals = gate;
        return gate;
    }

    /** Holds every acquisition from now on; an interrupt fails it, as it fails a Redis command. */
    public Gate holdAcquisitions() {
        Gate gate = new Gate(true);
        acquisitions = gate;
        return gate;
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public Optional<LockGrant> tryAcquire(String name, String holder, Duration lease, long tokenFloor) {
        Gate gate = acquisitions;
        if (gate != null) {
            gate.pass();
        }
        return store.tryAcquire(name, holder, lease, tokenFloor);
    }

    @Override
    public Optional<Instant> renew(String name, String holder, long token, Duration lease) {
        Gate gate = renewals;
        if (gate != null) {
            gate.pass();
        }
        Optional<Instant> renewed = store.renew(name, holder, token, lease);
        calls.add("renewed");
        return renewed;
    }

    @Override
    public Optional<Instant> release(String name, String holder, long token) {
        calls.add("release");
        return store.release(name, holder, token);
    }

    @Override
    public void raiseTokenFloor(String name, long floor) {
        store.raiseTokenFloor(name, floor);
    }

    @Override
    public void ping() {
        store.ping();
    }

    /** Where calls wait until the test opens it, or fails them. */
    public static final class Gate {

        private final CountDownLatch reached = new CountDownLatch(1);

        private final CountDownLatch open = new CountDownLatch(1);

        private final boolean interruptible;

        private volatile Supplier<RuntimeException> failure;

        private Gate(boolean interruptible) {
            this.interruptible = interruptible;
        }

        /** Waits until a call is held at the gate. */
        public void awaitReached() throws InterruptedException {
            if (!reached.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("No call reached the gate");
            }
        }

        public void open() {
            open.countDown();
        }

        /** Lets the held calls go on to fail with what {@code failure} gives. */
        public void fail(Supplier<RuntimeException> failure) {
            this.failure = failure;
            open.countDown();
        }

        private void pass() {
            reached.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    open.await();
                    break;
                }
                catch (InterruptedException ex) {
                    if (interruptible) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Command interrupted", ex);
                    }
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Supplier<RuntimeException> current = failure;
            if (current != null) {
                throw current.get();
            }
        }
    }
}
