package dev.reliant.lock.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import dev.reliant.lock.CurrentLock;
import dev.reliant.lock.Fence;
import dev.reliant.lock.FencedWriteRefusedException;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockRegistry;
import dev.reliant.lock.LockTestContexts;
import dev.reliant.lock.Locked;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A process of a lock test. Arguments: mode, instance name, lock name, a path (mode specific), then Spring
 * properties. Modes:
 * <ul>
 * <li>{@code frozen-helper} and {@code frozen-auto}: takes the lock, prints {@code ACQUIRED <token>}, waits until
 * the path exists (the test freezes it meanwhile), then writes a ledger row, checking the fence through the helper
 * or leaving it to the automatic check; prints {@code COMMITTED} or {@code REFUSED <fence token>}.</li>
 * <li>{@code contend}: for the number of seconds given as path (longer on a loaded machine), takes the lock, writes under it, releases it and
 * records the lease; every second lease it also tries a stale write once a later holder has written.</li>
 * <li>{@code scheduled}: runs a scheduled {@link Locked} job that records each run, until killed.</li>
 * </ul>
 */
public final class LockChild {

    private LockChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String instance = args[1];
        String lock = args[2];
        String path = args[3];
        String[] properties = List.of(args).subList(4, args.length).toArray(String[]::new);
        String[] all = concat(properties, "child.lock=" + lock, "child.instance=" + instance,
                "reliant.lock.instance-id=" + instance);
        List<Class<?>> sources = mode.equals("scheduled") ? List.of(Scheduling.class) : List.of(Writers.class);
        ConfigurableApplicationContext context = LockTestContexts.start(sources, List.of(), all);
        switch (mode) {
            case "frozen-helper" -> frozenHelper(context, lock, Path.of(path));
            case "frozen-auto" -> frozenAuto(context, Path.of(path));
            case "contend" -> contend(context, lock, instance, Duration.ofSeconds(Long.parseLong(path)));
            case "scheduled" -> {
                System.out.println("SCHEDULING");
                Thread.currentThread().join();
            }
            default -> throw new IllegalArgumentException(mode);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void frozenHelper(ConfigurableApplicationContext context, String lock, Path go) {
        Writer writer = context.getBean(Writer.class);
        LockLease lease = context.getBean(LockRegistry.class).tryAcquire(lock, Duration.ofSeconds(2)).orElseThrow();
        announce(lease.token());
        awaitFile(go);
        try {
            writer.writeLedger(lock, lease);
            System.out.println("COMMITTED");
        }
        catch (FencedWriteRefusedException ex) {
            System.out.println("REFUSED " + ex.fenceToken());
        }
    }

    private static void frozenAuto(ConfigurableApplicationContext context, Path go) {
        try {
            context.getBean(Writer.class).writeWhenToldUnderTheLock(go);
            System.out.println("COMMITTED");
        }
        catch (FencedWriteRefusedException ex) {
            System.out.println("REFUSED " + ex.fenceToken());
        }
    }

    private static void contend(ConfigurableApplicationContext context, String lock, String instance,
            Duration duration) throws InterruptedException {
        Writer writer = context.getBean(Writer.class);
        LockRegistry registry = context.getBean(LockRegistry.class);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        // on a loaded machine a process may get the lock rarely: it goes on, up to six times as long, until it has
        // held it twice and tried one stale write
        long latest = start + duration.multipliedBy(6).toNanos();
        int leases = 0;
        int staleTries = 0;
        int staleLanded = 0;
        while (System.nanoTime() < end || (System.nanoTime() < latest && (leases < 2 || staleTries < 1))) {
            Optional<LockLease> acquired = registry.tryAcquire(lock, Duration.ofSeconds(3));
            if (acquired.isEmpty()) {
                Thread.sleep(1);
                continue;
            }
            LockLease lease = acquired.get();
            leases++;
            writer.writeContended(lock, lease, false);
            writer.recordLease(lease, instance, lease.release());
            if (leases % 2 == 0 && awaitLaterHolder(writer.fence(), lock, lease.token())) {
                staleTries++;
                try {
                    writer.writeContended(lock, lease, true);
                    staleLanded++;
                }
                catch (FencedWriteRefusedException expected) {
                    // the later holder's fence refused this one
                }
            }
        }
        System.out.println("DONE leases=" + leases + " staleTries=" + staleTries + " staleLanded=" + staleLanded);
    }

    private static boolean awaitLaterHolder(Fence fence, String lock, long token) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < end) {
            if (fence.token(lock).orElse(0) > token) {
                return true;
            }
            Thread.sleep(2);
        }
        return false;
    }

    private static void announce(long token) {
        System.out.println("ACQUIRED " + token);
        System.out.flush();
    }

    private static void awaitFile(Path go) {
        while (!Files.exists(go)) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /** The child's beans: the writer, and in {@code scheduled} mode the job. */
    @Configuration(proxyBeanMethods = false)
    static class Writers {

        @Bean
        Writer writer(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Fence fence) {
            return new Writer(jdbc, new TransactionTemplate(transactionManager), fence);
        }

    }

    /** Writes to the test tables; its {@link Locked} method leaves the fence to the automatic check. */
    public static class Writer {

        private final JdbcTemplate jdbc;

        private final TransactionTemplate transactions;

        private final Fence fence;

        Writer(JdbcTemplate jdbc, TransactionTemplate transactions, Fence fence) {
            this.jdbc = jdbc;
            this.transactions = transactions;
            this.fence = fence;
        }

        public Fence fence() {
            return fence;
        }

        /** A ledger row with the fence checked through the helper. */
        public void writeLedger(String lock, LockLease lease) {
            transactions.executeWithoutResult(status -> {
                jdbc.update("INSERT INTO ledger (writer, token) VALUES ('frozen', ?)", lease.token());
                fence.check(lock, lease);
            });
        }

        /** A ledger row once {@code go} exists, with no fence code: the transaction checks it before commit. */
        @Locked(name = "${child.lock}", lease = "2s")
        public void writeWhenToldUnderTheLock(Path go) {
            announce(CurrentLock.token());
            awaitFile(go);
            transactions.executeWithoutResult(status -> jdbc
                .update("INSERT INTO ledger (writer, token) VALUES ('frozen', ?)", CurrentLock.token()));
        }

        /** A contention write, fenced through the helper. */
        public void writeContended(String lock, LockLease lease, boolean stale) {
            transactions.executeWithoutResult(status -> {
                jdbc.update("INSERT INTO writes (token, holder, stale, written_at) VALUES (?, ?, ?,"
                        + " clock_timestamp())", lease.token(), lease.holder(), stale);
                fence.check(lock, lease);
            });
        }

        public void recordLease(LockLease lease, String instance, boolean released) {
            Instant releasedAt = lease.releasedAt().orElse(lease.expiresAt());
            jdbc.update("INSERT INTO leases (token, holder, instance, acquired_at, released_at, released)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", lease.token(), lease.holder(), instance, utc(lease.acquiredAt()),
                    utc(releasedAt), released);
        }

    }

    /** Two instances run this job; the lock lets one at a time run it. */
    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class Scheduling {

        @Bean
        ScheduledJob scheduledJob(JdbcTemplate jdbc, @Value("${child.instance}") String instance) {
            return new ScheduledJob(jdbc, instance);
        }

    }

    /** Records each run, on the database clock, and stays in it a while so that a kill can land mid-run. */
    public static class ScheduledJob {

        private final JdbcTemplate jdbc;

        private final String instance;

        ScheduledJob(JdbcTemplate jdbc, String instance) {
            this.jdbc = jdbc;
            this.instance = instance;
        }

        @Scheduled(fixedDelay = 100)
        @Locked(name = "${child.lock}", lease = "1500ms")
        public void report() throws InterruptedException {
            Long id = jdbc.queryForObject("INSERT INTO runs (instance, token, started_at) VALUES (?, ?,"
                    + " clock_timestamp()) RETURNING id", Long.class, instance, CurrentLock.token());
            Thread.sleep(700);
            jdbc.update("UPDATE runs SET finished_at = clock_timestamp() WHERE id = ?", id);
        }

    }

}
