package dev.reliant.test.autoconfigure;

import java.util.List;
import java.util.Map;

import dev.reliant.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded database outlives the application contexts of its JVM: an application still stopping at exit can use
 * it, and the exit is not held up by a pool waiting for a database that is gone.
 */
class EmbeddedDatabaseShutdownTests {

    @Test
    void embeddedDatabaseStopsOnlyOnceTheApplicationHasStopped() {
        try (ChildJvm child = ChildJvm.start(EmbeddedDatabaseShutdownChild.class, List.of(), Map.of())) {
            assertThat(child.waitFor(120)).as("exit code; output:%n%s", child.output()).isZero();
            assertThat(child.output()).contains(EmbeddedDatabaseShutdownChild.QUERIED);
        }
    }
}
