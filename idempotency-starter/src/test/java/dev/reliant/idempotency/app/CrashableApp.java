package dev.reliant.idempotency.app;

import org.springframework.boot.SpringApplication;

/** The test application as a process of its own, for tests that kill it mid-request. */
public final class CrashableApp {

    private CrashableApp() {
    }

    public static void main(String[] args) {
        SpringApplication.run(TestApplication.class, args);
    }
}
