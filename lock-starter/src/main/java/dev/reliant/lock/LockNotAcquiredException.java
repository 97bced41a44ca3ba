package dev.reliant.lock;

import java.time.Duration;

/** Another holder kept the lock for as long as the caller was willing to wait. */
public class LockNotAcquiredException extends RuntimeException {

    private final String name;

    public LockNotAcquiredException(String name, Duration waited) {
        super("Lock '" + name + "' is held by another holder; waited " + waited);
        this.name = name;
    }

    public String name() {
        return name;
    }

}
