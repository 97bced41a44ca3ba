package dev.reliant.outbox;

import java.util.List;
import java.util.UUID;

/**
 * Operations on parked messages: those that failed with a non-retryable error or ran out of attempts. While
 * parked, a message holds back later messages of its key (unless
 * {@code reliant.outbox.relay.parked-blocks-key=false}).
 */
public interface ParkedMessages {

    /** The oldest parked messages first, at most {@code limit}. */
    List<ParkedMessage> list(int limit);

    /** The number of parked messages. */
    long count();

    /**
     * Makes a parked message due again with a fresh attempt count.
     * @return false when no parked message has this id
     */
    boolean replay(UUID id);

    /**
     * Deletes a parked message without sending it, releasing the later messages of its key.
     * @return false when no parked message has this id
     */
    boolean discard(UUID id);

}
