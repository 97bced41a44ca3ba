package dev.reliant.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class or method only when a RabbitMQ server is configured through
 * {@value TestRabbit#URL_ENV}; otherwise JUnit reports it skipped, and the reason is printed.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RabbitCondition.class)
public @interface RequiresRabbit {

}
