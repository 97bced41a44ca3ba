package dev.reliant.benchmarks.idempotency;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The writing endpoints, added to {@link IdempotencyBenchmarkApplication} when it runs with a {@code DataSource}. */
@Configuration(proxyBeanMethods = false)
@Import({ WriteController.class, BusinessWriter.class })
public class WriteEndpoints {

}
