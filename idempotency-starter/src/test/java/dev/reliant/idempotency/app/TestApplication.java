package dev.reliant.idempotency.app;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A small web application with idempotent endpoints and the users of {@link TestSecurity}. Its database code is plain
 * JDBC: Hibernate, on the class path for {@code JpaPaymentsApplication}, stays off.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
        "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration" })
@Import({ TestSecurity.class, TestController.class, LedgerController.class, Ledger.class,
        ClassLevelController.class, StreamingController.class })
public class TestApplication {

    /** Outside the idempotency filter (-90), inside Spring Security's (-100). */
    @Bean
    FilterRegistrationBean<HaltFilter> haltFilter() {
        FilterRegistrationBean<HaltFilter> registration = new FilterRegistrationBean<>(new HaltFilter());
        registration.setOrder(-95);
        return registration;
    }
}
