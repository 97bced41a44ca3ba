package dev.reliant.saga.autoconfigure;

import dev.reliant.saga.Saga;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.web.FailureStatuses;
import dev.reliant.saga.web.SagaFailureRecorder;
import dev.reliant.saga.web.SagaRequestFilter;
import jakarta.servlet.DispatcherType;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.context.annotation.RequestScope;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.DispatcherServlet;

/** A request-scoped {@link Saga} for Spring MVC requests, ended by a servlet filter. */
@AutoConfiguration(after = SagaAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(SagaEngine.class)
@ConditionalOnBooleanProperty(name = "reliant.saga.web.enabled", matchIfMissing = true)
public final class SagaWebAutoConfiguration {

    @Bean
    @ConditionalOnMissingFilterBean(SagaRequestFilter.class)
    FilterRegistrationBean<SagaRequestFilter> sagaRequestFilter(SagaEngine engine, SagaProperties properties) {
        SagaRequestFilter filter = new SagaRequestFilter(engine,
                new FailureStatuses(properties.getWeb().getFailureStatuses()));
        FilterRegistrationBean<SagaRequestFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(properties.getWeb().getFilterOrder());
        registration.setUrlPatterns(properties.getWeb().getUrlPatterns());
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        return registration;
    }

    @Bean
    static SagaFailureRecorder sagaFailureRecorder() {
        return new SagaFailureRecorder();
    }

    @Bean
    @RequestScope
    @ConditionalOnMissingBean
    Saga saga() {
        return SagaRequestFilter
            .current(((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes()).getRequest());
    }

}
