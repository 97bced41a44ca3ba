package dev.reliant.test.saga;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;

/**
 * Every compensation call of the application's sagas: the {@code @Compensation} handler calls the saga starter
 * observes as {@value #OBSERVATION}, whoever ran them (the saga's owner or a recovery worker), and the in-memory
 * compensations of the sagas run through {@link SagaScenario}.
 */
public class CompensationRecorder {

    /** The observation the saga starter makes of each {@code @Compensation} handler call. */
    public static final String OBSERVATION = "reliant.saga.compensation.call";

    private final List<CompensationCall> calls = new CopyOnWriteArrayList<>();

    /** Records the compensation calls observed through {@code registry}, the one the saga starter uses. */
    public CompensationRecorder(ObservationRegistry registry) {
        registry.observationConfig().observationHandler(new Handler());
    }

    /** The calls made for the saga {@code sagaId}, in the order they ended. */
    public List<CompensationCall> callsOf(String sagaId) {
        return calls.stream().filter(call -> call.sagaId().equals(sagaId)).toList();
    }

    void record(CompensationCall call) {
        calls.add(call);
    }

    private final class Handler implements ObservationHandler<Observation.Context> {

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        @Override
        public void onStop(Observation.Context context) {
            if (!OBSERVATION.equals(context.getName())) {
                return;
            }
            record(new CompensationCall(value(context, "saga.id"), value(context, "step"),
                    value(context, "handler"), Integer.parseInt(value(context, "attempt")), context.getError()));
        }

        private static String value(Observation.Context context, String key) {
            KeyValue value = context.getLowCardinalityKeyValue(key);
            if (value == null) {
                value = context.getHighCardinalityKeyValue(key);
            }
            if (value == null) {
                throw new IllegalStateException("The " + OBSERVATION + " observation has no '" + key + "' value");
            }
            return value.getValue();
        }

    }

}
