package dev.reliant.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM on the test class path, for tests that must kill a process for real ({@code kill -9} or
 * {@code Runtime.halt}) rather than pretend to. Its output goes to a log file the test can show on failure.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;

    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} with the given arguments and extra environment variables. */
    public static ChildJvm start(Class<?> mainClass, List<String> args, Map<String, String> env) {
        return start(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()), args, env);
    }

    /** Starts {@code java -jar jar} with the given arguments and extra environment variables. */
    public static ChildJvm startJar(Path jar, List<String> args, Map<String, String> env) {
        return start(List.of("-jar", jar.toString()), args, env);
    }

    private static ChildJvm start(List<String> launch, List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-Xmx512m");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(launch);
        command.addAll(args);
        try {
            Path log = Files.createTempFile("child-jvm-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            return new ChildJvm(builder.start(), log);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start " + command, ex);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process the way {@code kill -9} does and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor(30);
    }

    /** Freezes the process the way {@code kill -STOP} does: every thread stops until {@link #resume()}. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a process frozen by {@link #pause()} run again ({@code kill -CONT}). */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not send SIG" + name, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Asks the process to shut down (SIGTERM, so its shutdown hooks run) and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Asks the process to shut down (SIGTERM, so its shutdown hooks run) and waits until it is gone. */
    public void stop() {
        terminate();
        try {
            waitFor(60);
        }
        catch (IllegalStateException ex) {
            kill();
        }
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int waitFor(long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Child JVM still running after " + seconds + " s; log:\n" + output());
            }
            return process.exitValue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        }
        catch (IOException ex) {
            return "(no log: " + ex + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
