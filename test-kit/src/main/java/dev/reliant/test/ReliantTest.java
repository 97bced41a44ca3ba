package dev.reliant.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.reliant.test.autoconfigure.ReliantTestAutoConfiguration;
import dev.reliant.test.autoconfigure.ReliantTestContextCustomizerFactory;
import dev.reliant.test.autoconfigure.ReliantTestObservationAutoConfiguration;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.test.context.ContextCustomizerFactories;

/**
 * Runs the Reliant starters of a {@code @SpringBootTest} without servers the test did not configure, and adds
 * the test kit's beans to its context.
 * <p>
 * Defaults, each used only when no property source of the test or the application sets the property (they have
 * the lowest precedence):
 * <ul>
 * <li>{@code reliant.idempotency.store=memory}: idempotency records in this JVM, even when the application has
 * Redis; set {@code reliant.idempotency.store} to test another store;</li>
 * <li>{@code reliant.outbox.publisher=in-process}: the relay publishes {@code OutboxMessage} application events,
 * even when the application has a {@code KafkaTemplate} or a RabbitMQ connection factory;</li>
 * <li>{@code spring.datasource.url}: a database of its own on an embedded PostgreSQL ({@code io.zonky.test}),
 * started once per JVM on first use, when the test sets no URL. A test that defines its own {@code DataSource}
 * bean without the property gets the URL too, unused.</li>
 * </ul>
 * Beans, for the starters present: {@link dev.reliant.test.outbox.OutboxMessages},
 * {@link dev.reliant.test.idempotency.IdempotencyProbe} (for the server of
 * {@code webEnvironment = RANDOM_PORT} or {@code DEFINED_PORT}), {@link dev.reliant.test.saga.SagaScenario} and
 * the {@link dev.reliant.test.saga.CompensationRecorder} it reads. To record compensations, the kit gives the
 * context an {@code ObservationRegistry} when it has none.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration({ ReliantTestObservationAutoConfiguration.class, ReliantTestAutoConfiguration.class })
@ContextCustomizerFactories(ReliantTestContextCustomizerFactory.class)
public @interface ReliantTest {

}
