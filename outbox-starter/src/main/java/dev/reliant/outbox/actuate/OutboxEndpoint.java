package dev.reliant.outbox.actuate;

import java.util.List;
import java.util.UUID;

import dev.reliant.outbox.ParkedMessage;
import dev.reliant.outbox.ParkedMessages;
import dev.reliant.outbox.jdbc.OutboxBacklog;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/outbox}: the backlog and the parked messages (GET), replay of a parked message
 * (POST {@code /actuator/outbox/{id}}) and its discard (DELETE {@code /actuator/outbox/{id}}).
 */
@Endpoint(id = "outbox")
public class OutboxEndpoint {

    private final ParkedMessages parked;

    private final OutboxBacklog backlog;

    private final int listLimit;

    public OutboxEndpoint(ParkedMessages parked, OutboxBacklog backlog, int listLimit) {
        this.parked = parked;
        this.backlog = backlog;
        this.listLimit = listLimit;
    }

    @ReadOperation
    public OutboxReport report() {
        OutboxBacklog.Snapshot snapshot = backlog.snapshot();
        return new OutboxReport(snapshot.pending(), snapshot.parked(), snapshot.oldestPendingAge().toMillis(),
                parked.list(listLimit));
    }

    @WriteOperation
    public ActionResult replay(@Selector String id) {
        return new ActionResult(id, parked.replay(UUID.fromString(id)) ? "replayed" : "not-parked");
    }

    @DeleteOperation
    public ActionResult discard(@Selector String id) {
        return new ActionResult(id, parked.discard(UUID.fromString(id)) ? "discarded" : "not-parked");
    }

    /**
     * @param pending messages waiting to be published
     * @param parked messages parked
     * @param lagMillis age of the oldest pending message
     * @param parkedMessages the oldest parked messages
     */
    public record OutboxReport(long pending, long parked, long lagMillis, List<ParkedMessage> parkedMessages) {
    }

    /** What a replay or discard did. */
    public record ActionResult(String id, String result) {
    }
}
