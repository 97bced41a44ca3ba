package example.shop;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.reliant.test.ReliantTest;
import dev.reliant.test.idempotency.IdempotencyProbe;
import dev.reliant.test.outbox.OutboxMessages;
import dev.reliant.test.outbox.WrittenMessage;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ReliantTest
class OutboxMessagesTests {

    @Autowired
    OutboxMessages outbox;

    @Autowired
    IdempotencyProbe probe;

    @Test
    void findsTheMessageTheRequestWroteAndWaitsUntilItWasRelayed() {
        String item = "item-" + UUID.randomUUID();
        String id = probe.duplicates(3).post("/purchases", "{\"item\":\"" + item + "\"}").assertHandledOnce()
            .original().body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");

        WrittenMessage written = outbox.written().to("purchases").withKey(item).ofType("purchase.made").single();
        assertThat(written.payload()).isEqualTo("{\"id\":\"" + id + "\"}");

        List<WrittenMessage> relayed = outbox.written().withId(written.id()).awaitRelayed();
        assertThat(relayed).singleElement().satisfies(message -> {
            assertThat(message.relayed()).isTrue();
            assertThat(message.publishedAt()).isNotNull();
        });
    }

    @Test
    void failsWhenNoMessageOrMoreThanOneMatches() {
        String item = "item-" + UUID.randomUUID();
        outbox.written().withKey(item).isEmpty();
        assertThatThrownBy(() -> outbox.written().withKey(item).single()).isInstanceOf(AssertionError.class)
            .hasMessageContaining("found 0");

        probe.duplicates(2).post("/unguarded-purchases", "{\"item\":\"" + item + "\"}");

        assertThat(outbox.written().withKey(item).hasSize(2)).hasSize(2);
        assertThatThrownBy(() -> outbox.written().withKey(item).single()).isInstanceOf(AssertionError.class)
            .hasMessageContaining("found 2");
        assertThatThrownBy(() -> outbox.written().withKey(item).ofType("other").single())
            .isInstanceOf(AssertionError.class);
    }

    @Test
    void awaitingAMessageTheRelayParkedFailsAtOnce() {
        String item = "item-" + UUID.randomUUID();
        probe.duplicates(2).post("/purchases", "{\"item\":\"" + item + "\",\"type\":\"purchase.poison\"}");

        long start = System.nanoTime();
        assertThatThrownBy(() -> outbox.written().withKey(item).awaitRelayed(Duration.ofSeconds(30)))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("parked");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void awaitingAMessageNobodyWroteTimesOut() {
        assertThatThrownBy(() -> outbox.written().withKey("never-" + UUID.randomUUID())
            .awaitRelayed(Duration.ofMillis(300)))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("not all relayed");
    }

}
