package dev.reliant.lock;

import java.time.Instant;

/**
 * What a store answers to a successful acquisition.
 *
 * @param token greater than every token handed out before for the name
 * @param acquiredAt when the store granted the lock, on the store's clock
 * @param expiresAt when the lease runs out unless renewed, on the store's clock
 */
public record LockGrant(String name, String holder, long token, Instant acquiredAt, Instant expiresAt) {
}
