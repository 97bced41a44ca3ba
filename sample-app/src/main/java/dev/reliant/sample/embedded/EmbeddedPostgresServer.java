package dev.reliant.sample.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.commons.logging.Log;

import org.springframework.core.log.LogMessage;

/** A PostgreSQL server on a data directory that survives restarts, run as a child process of the sample. */
final class EmbeddedPostgresServer implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private final Path dataDir;

    private final Log log;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, Log log) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.log = log;
    }

    /** Starts PostgreSQL on {@code dataDir}, first stopping one a killed run left there. */
    static EmbeddedPostgresServer start(Path dataDir, int port, Log log) throws IOException {
        Files.createDirectories(dataDir);
        // the library's own lock on the directory, held while its server runs
        DataDirectoryLock.refuseIfInUse(dataDir.resolve("epg-lock"), "PostgreSQL");
        new OrphanProcesses(log).stop(dataDir.resolve("postmaster.pid"), "postgres", "PostgreSQL");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPort(port)
            // stopped once the application context is closed, not by a hook racing the application's own shutdown
            .setRegisterShutdownHook(false)
            .start();
        log.info(LogMessage.format("Started the embedded PostgreSQL on port %d with data in %s", postgres.getPort(),
                dataDir));
        return new EmbeddedPostgresServer(postgres, dataDir, log);
    }

    int port() {
        return postgres.getPort();
    }

    /** Stops the server, and returns only once its postmaster has exited, so that nothing outlives the sample. */
    @Override
    public void close() throws IOException {
        Optional<ProcessHandle> postmaster = OrphanProcesses.running(dataDir.resolve("postmaster.pid"));
        postgres.close();
        postmaster.ifPresent(new OrphanProcesses(log)::awaitStopped);
        log.info(LogMessage.format("Stopped the embedded PostgreSQL on port %d with data in %s", port(), dataDir));
    }

    @Override
    public String toString() {
        return "the embedded PostgreSQL on port " + port();
    }
}
