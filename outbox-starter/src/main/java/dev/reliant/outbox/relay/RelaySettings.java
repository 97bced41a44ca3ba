package dev.reliant.outbox.relay;

import java.time.Duration;

/**
 * How the relay claims and waits.
 *
 * @param batchSize keys claimed per round
 * @param messagesPerKey messages of one key claimed per round, sent one after another
 * @param lease how long claimed messages stay reserved to this instance; after it, another instance takes over
 * @param publishTimeout how long one publication may take before it counts as failed
 * @param pollInterval the longest an idle relay waits before looking for due messages
 * @param workers how many batches this instance relays at once, each claimed, published and settled by its own
 * thread
 * @param busyPollInterval how often the relay looks for due messages during the poll interval after it last found
 * some or was notified: writers that committed shortly after a notified commit send no notification of their own
 * @param instanceTimeout how long this instance counts as alive after its last heartbeat; after it, other
 * instances take over its claims without waiting for their lease
 * @param heartbeatInterval how often this instance renews its liveness and looks for dead instances
 */
public record RelaySettings(int batchSize, int messagesPerKey, Duration lease, Duration publishTimeout,
        Duration pollInterval, int workers, Duration busyPollInterval, Duration instanceTimeout,
        Duration heartbeatInterval) {

    public RelaySettings {
        if (batchSize < 1 || messagesPerKey < 1 || workers < 1) {
            throw new IllegalArgumentException("batchSize, messagesPerKey and workers must be at least 1");
        }
        if (busyPollInterval.isNegative() || busyPollInterval.isZero()) {
            throw new IllegalArgumentException("busyPollInterval must be positive");
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()
                || instanceTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("The instance timeout (" + instanceTimeout
                    + ") must be at least twice the heartbeat interval (" + heartbeatInterval
                    + "), so that one late heartbeat does not make a live instance look dead");
        }
        if (lease.compareTo(publishTimeout.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("The lease (" + lease
                    + ") must be at least twice the publish timeout (" + publishTimeout
                    + "), so that a batch is settled before another instance may take it over");
        }
    }
}
