package dev.reliant.sample.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;

import org.springframework.core.log.LogMessage;

/**
 * Stops a server process left behind by an earlier run that was killed ({@code kill -9} gives the JVM no chance to
 * stop its children), found through the pid file the server keeps in its data directory.
 */
final class OrphanProcesses {

    private static final Duration GRACE = Duration.ofSeconds(30);

    private final Log log;

    /**
     * @param log where to say what was stopped; a deferred log, since servers start before logging is set up
     */
    OrphanProcesses(Log log) {
        this.log = log;
    }

    /**
     * Stops the process named in the first line of {@code pidFile} if it is alive and its command line contains
     * {@code expectedCommand}, then deletes the stale pid file.
     */
    void stop(Path pidFile, String expectedCommand, String server) {
        if (!Files.exists(pidFile)) {
            return;
        }
        running(pidFile).filter((process) -> commandLine(process).contains(expectedCommand))
            .ifPresent((process) -> {
                terminate(process);
                log.info(LogMessage.format("Stopped the embedded %s (pid %d) that a killed run left on %s", server,
                        process.pid(), pidFile.getParent()));
            });
        try {
            Files.deleteIfExists(pidFile);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot delete stale pid file " + pidFile, ex);
        }
    }

    /** The live process named in the first line of {@code pidFile}, if any. */
    static Optional<ProcessHandle> running(Path pidFile) {
        return readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    }

    /**
     * Makes sure {@code process} has exited: a server whose own stop command gave up waiting (a loaded machine) is
     * terminated, and killed after the grace period.
     */
    void awaitStopped(ProcessHandle process) {
        if (process.isAlive()) {
            terminate(process);
        }
    }

    private void terminate(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(GRACE.toSeconds(), TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            log.warn(LogMessage.format("Process %d did not stop within %s; killing it", process.pid(), GRACE));
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.onExit().join();
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            return first.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(first));
        }
        catch (IOException | NumberFormatException ex) {
            return Optional.empty();
        }
    }

    private static String commandLine(ProcessHandle process) {
        try {
            // /proc shows the real name of a postmaster, which ProcessHandle.Info may not report for another user.
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).replace('\0', ' ');
        }
        catch (IOException ex) {
            return process.info().commandLine().orElse("");
        }
    }
}
