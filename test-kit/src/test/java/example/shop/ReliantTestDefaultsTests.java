package example.shop;

import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.outbox.OutboxPublisher;
import dev.reliant.outbox.event.ApplicationEventOutboxPublisher;
import dev.reliant.test.ReliantTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code @ReliantTest} gives a test that configures nothing, and that what a test configures wins. */
class ReliantTestDefaultsTests {

    @Nested
    @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
    @ReliantTest
    class Unconfigured {

        @Autowired
        Environment environment;

        @Autowired
        OutboxPublisher publisher;

        @Autowired
        IdempotencyStore store;

        @Test
        void runsOnAnEmbeddedPostgresWithTheInMemoryStoreAndInProcessEvents() {
            assertThat(environment.getProperty("spring.datasource.url")).startsWith("jdbc:postgresql://localhost:")
                .contains("/reliant_test_");
            assertThat(environment.getProperty("reliant.idempotency.store")).isEqualTo("memory");
            assertThat(store).isInstanceOf(InMemoryIdempotencyStore.class);
            assertThat(publisher).isInstanceOf(ApplicationEventOutboxPublisher.class);
        }

    }

    @Nested
    @SpringBootTest(properties = "reliant.idempotency.store=jdbc")
    @ReliantTest
    class Configured {

        @Autowired
        Environment environment;

        @Autowired
        IdempotencyStore store;

        @Test
        void keepsWhatTheTestConfigured() {
            assertThat(environment.getProperty("reliant.idempotency.store")).isEqualTo("jdbc");
            assertThat(store).isInstanceOf(JdbcIdempotencyStore.class);
        }

    }

}
