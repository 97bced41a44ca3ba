package dev.reliant.sample.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a running sample holds on an embedded server's data directory. The operating system releases it when
 * the process ends, even after {@code kill -9}, so a lock that can be taken means any server still running on the
 * directory was left behind by a killed run, never that it belongs to a live one.
 */
final class DataDirectoryLock implements AutoCloseable {

    private final FileChannel channel;

    private DataDirectoryLock(FileChannel channel) {
        this.channel = channel;
    }

    /** Fails when a running sample holds {@code lockFile}. */
    static void refuseIfInUse(Path lockFile, String server) throws IOException {
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("The embedded " + server + " data in " + lockFile.getParent()
                        + " is in use by another running sample; stop it or set sample.data-dir");
            }
        }
    }

    /** Takes {@code lockFile} until {@link #close()} or the end of this process. */
    static DataDirectoryLock hold(Path lockFile) throws IOException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (channel.tryLock() == null) {
            channel.close();
            throw new IllegalStateException("Could not lock " + lockFile);
        }
        return new DataDirectoryLock(channel);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
