package example.shop;

import dev.reliant.outbox.NonRetryablePublishException;
import dev.reliant.outbox.OutboxMessage;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** A consumer of the in-process relay that refuses events of one type for good, so that they are parked. */
@Component
class PoisonListener {

    @EventListener
    void on(OutboxMessage message) {
        if (message.type().equals("purchase.poison")) {
            throw new NonRetryablePublishException("poison");
        }
    }

}
