package dev.reliant.idempotency.jpa;

import dev.reliant.idempotency.app.TestSecurity;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.context.annotation.Import;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/** An application whose idempotent handler saves a Spring Data JPA entity. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EntityScan(basePackageClasses = JpaPaymentsApplication.class)
@EnableJpaRepositories(basePackageClasses = JpaPaymentsApplication.class)
@Import({ TestSecurity.class, PaymentController.class })
public class JpaPaymentsApplication {

}
