package dev.reliant.outbox.jdbc;

import java.time.Duration;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The liveness of relaying instances. Each instance keeps a row whose time to live it renews by a heartbeat; any
 * instance that finds another's row expired deletes it and makes that instance's claimed keys due at once, so that
 * the messages a dead instance held are relayed within seconds rather than after their lease. The new claims carry
 * new tokens: whatever the given-up instance still tries to record is fenced out.
 */
public class RelayInstances {

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final String channel;

    private final String register;

    private final String renew;

    private final String takeOver;

    private final String deregister;

    public RelayInstances(JdbcTemplate jdbc, TransactionTemplate transactions, OutboxTables tables) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.channel = tables.channel();
        this.register = "INSERT INTO " + tables.instances()
                + " (id, alive_until) VALUES (?, now() + ? * interval '1 millisecond')";
        this.renew = "UPDATE " + tables.instances() + " SET alive_until = now() + ? * interval '1 millisecond'"
                + " WHERE id = ?";
        this.takeOver = "WITH dead AS (DELETE FROM " + tables.instances() + " WHERE alive_until < now() RETURNING id)"
                + " UPDATE " + tables.keys() + " k SET available_at = now(), claim_token = NULL, claimed_by = NULL"
                + " FROM dead WHERE k.claimed_by = dead.id";
        this.deregister = "DELETE FROM " + tables.instances() + " WHERE id = ?";
    }

    /** Adds an instance that counts as alive for {@code timeToLive}. */
    public void register(UUID instance, Duration timeToLive) {
        jdbc.update(register, instance, timeToLive.toMillis());
    }

    /**
     * Extends an instance's life to {@code timeToLive} from now.
     * @return false when the instance was given up for dead meanwhile: it must register anew, and its claims are
     * no longer its own
     */
    public boolean renew(UUID instance, Duration timeToLive) {
        return jdbc.update(renew, timeToLive.toMillis(), instance) == 1;
    }

    /**
     * Gives up the instances whose life ran out and makes their claimed keys due, waking the listening relays.
     * @return the number of keys taken over
     */
    public int takeOverDead() {
        Integer taken = transactions.execute((status) -> {
            int keys = jdbc.update(takeOver);
            if (keys > 0) {
                jdbc.queryForObject("SELECT 1 FROM (SELECT pg_notify(?, '')) AS notified", Integer.class, channel);
            }
            return keys;
        });
        return (taken != null) ? taken : 0;
    }

    /** Removes a stopping instance, which holds no claims any more. */
    public void deregister(UUID instance) {
        jdbc.update(deregister, instance);
    }
}
