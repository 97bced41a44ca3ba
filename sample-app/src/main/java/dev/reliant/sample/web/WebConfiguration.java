package dev.reliant.sample.web;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Protects the API from more load than it can take. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /**
     * After Spring Security (-100), so that only signed-in users take slots, and before the idempotency filter
     * (-90), so that a shed request never claims its key.
     */
    private static final int CONCURRENCY_LIMIT_ORDER = -95;

    @Bean
    @ConditionalOnBooleanProperty(name = "sample.api.concurrency.enabled", matchIfMissing = true)
    FilterRegistrationBean<ConcurrencyLimitFilter> concurrencyLimitFilter(ConcurrencyLimitProperties properties,
            WebServerApplicationContext context) {
        FilterRegistrationBean<ConcurrencyLimitFilter> registration = new FilterRegistrationBean<>(
                new ConcurrencyLimitFilter(properties, () -> context.getWebServer().getPort(),
                        EndpointRequest.toAnyEndpoint()));
        registration.setOrder(CONCURRENCY_LIMIT_ORDER);
        return registration;
    }
}
