package dev.reliant.testsupport;

import org.springframework.boot.SpringApplication;

/**
 * Stops an embedded server when the JVM exits, after the Spring applications still running in it have closed. JVM
 * shutdown hooks run at the same time as each other, so a server stopped by a hook of its own went away while an
 * application was still closing: a relay's heartbeat or a worker then waited out its pool's connection timeout for a
 * database that no longer answered, and held the JVM's exit with it. Spring Boot runs its shutdown handlers once
 * every application context it registered has closed.
 */
final class ServerStop {

    private ServerStop() {
    }

    static void atExit(Runnable stop) {
        SpringApplication.getShutdownHandlers().add(stop);
    }
}
