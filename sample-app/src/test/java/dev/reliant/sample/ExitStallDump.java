package dev.reliant.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Writes every thread's stack to {@code target/exit-stall-threads.txt} when this test JVM is still shutting down
 * {@link #GRACE} after its exit began. Surefire kills a fork that has not exited 30 s after {@code System.exit}, which
 * leaves no trace of what held it; the dump names the shutdown hook or bean that did.
 */
public final class ExitStallDump implements LauncherSessionListener {

    static final Duration GRACE = Duration.ofSeconds(10);

    static final Path DUMP = Path.of("target", "exit-stall-threads.txt");

    private static final AtomicBoolean WATCHING = new AtomicBoolean();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (WATCHING.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(ExitStallDump::watch, "exit-stall-watch"));
        }
    }

    /** Runs as a shutdown hook; returns at once, so that it never delays the exit itself. */
    private static void watch() {
        Thread watchdog = new Thread(() -> {
            try {
                // a deadline, not a wait for a condition: the JVM halts, and this daemon with it, once the other
                // hooks are done, so the dump is written only when they are not done in time
                Thread.sleep(GRACE.toMillis());
                dump();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, "exit-stall-dump");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void dump() {
        StringBuilder text = new StringBuilder("Still shutting down " + GRACE.toSeconds() + " s after exit began\n\n");
        for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            text.append('"').append(thread.getThreadName()).append("\" ").append(thread.getThreadState());
            if (thread.getLockName() != null) {
                text.append(" on ").append(thread.getLockName());
            }
            if (thread.getLockOwnerName() != null) {
                text.append(" owned by \"").append(thread.getLockOwnerName()).append('"');
            }
            text.append('\n');
            // ThreadInfo#toString would cut each stack at eight frames
            for (StackTraceElement frame : thread.getStackTrace()) {
                text.append("\tat ").append(frame).append('\n');
            }
            text.append('\n');
        }
        try {
            Files.writeString(DUMP, text);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        System.err.print(text);
    }
}
