package example.shop;

import dev.reliant.test.ReliantTest;
import dev.reliant.test.idempotency.DuplicateResponses;
import dev.reliant.test.idempotency.IdempotencyProbe;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ReliantTest
class IdempotencyProbeTests {

    @Autowired
    IdempotencyProbe probe;

    @Autowired
    JdbcClient jdbc;

    @Test
    void duplicatesOfAnIdempotentEndpointAreHandledOnce() {
        DuplicateResponses responses = probe.duplicates(8).post("/purchases", "{\"item\":\"idempotent\"}")
            .assertHandledOnce();

        assertThat(responses.original().statusCode()).isEqualTo(201);
        assertThat(responses.replays().size() + responses.inProgress().size()).isEqualTo(7);
        assertThat(purchases("idempotent")).isEqualTo(1);
    }

    @Test
    void duplicatesOfAnEndpointWithoutIdempotentFailTheAssertion() {
        DuplicateResponses responses = probe.duplicates(8).post("/unguarded-purchases", "{\"item\":\"unguarded\"}");

        assertThatThrownBy(responses::assertHandledOnce).isInstanceOf(AssertionError.class)
            .hasMessageContaining("Expected exactly one original answer, found 8");
        assertThat(purchases("unguarded")).isEqualTo(8);
    }

    @Test
    void aReplayThatDiffersFromTheOriginalFailsTheAssertion() {
        // the same key with another body is not a duplicate: the server refuses it with 422, an answer of its own
        IdempotencyProbe keyed = probe.header("Idempotency-Key", "k-" + System.nanoTime());
        keyed.duplicates(2).post("/purchases", "{\"item\":\"first\"}").assertHandledOnce();

        DuplicateResponses reused = keyed.duplicates(2).post("/purchases", "{\"item\":\"second\"}");

        assertThat(reused.all()).allSatisfy(response -> assertThat(response.statusCode()).isEqualTo(422));
        assertThatThrownBy(reused::assertHandledOnce).isInstanceOf(AssertionError.class)
            .hasMessageContaining("found 2");
    }

    private int purchases(String item) {
        return jdbc.sql("SELECT count(*) FROM purchase WHERE item = ?").param(item).query(Integer.class).single();
    }

}
