package dev.reliant.idempotency.web;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.testsupport.TestRedis;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An idempotent request's claim, completion and replay are observations inside the HTTP request's, so that Boot's
 * tracing shows them as spans of the request.
 */
class IdempotencyObservationTests {

    @Test
    void claimCompletionAndReplayAreObservedInsideTheRequest() {
        try (RunningApp app = RunningApp.start(RunningApp.redis(TestRedis.newKeyPrefix()))) {
            Recorder recorder = new Recorder();
            app.context().getBean(ObservationRegistry.class).observationConfig().observationHandler(recorder);
            String key = UUID.randomUUID().toString();

            app.post("/api/orders").key(key).json("{}").send();
            List<String> first = recorder.drain();
            app.post("/api/orders").key(key).json("{}").send();
            List<String> replay = recorder.drain();

            System.out.println("first execution:\n  " + String.join("\n  ", first) + "\nreplay:\n  "
                    + String.join("\n  ", replay));
            assertThat(first).anyMatch(insideTheRequest("idempotency claim"))
                .anyMatch(insideTheRequest("idempotency complete"));
            assertThat(replay).anyMatch(insideTheRequest("idempotency claim"))
                .anyMatch(insideTheRequest("idempotency replay"))
                .noneMatch(line -> line.endsWith("idempotency complete"));
        }
    }

    private static java.util.function.Predicate<String> insideTheRequest(String name) {
        return line -> line.startsWith("http.server.requests > ") && line.endsWith(" > " + name);
    }

    /** Each stopped observation with its ancestors, "root > ... > name", Reliant's by their contextual names. */
    private static final class Recorder implements ObservationHandler<Observation.Context> {

        private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

        @Override
        public void onStop(Observation.Context context) {
            stopped.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        /**
         * The observations stopped since the last call, once the HTTP request's own has: the client may read a
         * response before the server stops the observations around writing it.
         */
        List<String> drain() {
            Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> stopped.stream().anyMatch(context -> context.getParentObservation() == null
                        && context.getName().equals("http.server.requests")));
            List<String> lines = stopped.stream().map(Recorder::path).collect(Collectors.toList());
            stopped.clear();
            return lines;
        }

        private static String path(Observation.ContextView context) {
            String name = (context.getContextualName() != null && context.getName().startsWith("reliant."))
                    ? context.getContextualName() : context.getName();
            ObservationView parent = context.getParentObservation();
            return (parent != null) ? path(parent.getContextView()) + " > " + name : name;
        }
    }
}
