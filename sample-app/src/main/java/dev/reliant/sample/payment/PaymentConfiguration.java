package dev.reliant.sample.payment;

import java.util.UUID;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The stand-in payment provider as a service of its own: its connector, its routing, and its own credentials,
 * which only the sample's {@link PaymentClient} holds.
 */
@Configuration(proxyBeanMethods = false)
class PaymentConfiguration {

    /** Before Spring Security's filters (-100), so that a request on the wrong port is not even authenticated. */
    private static final int ROUTING_FILTER_ORDER = -200;

    private static final String PAYMENT_CLIENT_ROLE = "PAYMENT_CLIENT";

    @Bean
    PaymentProviderConnector paymentProviderConnector(PaymentProperties properties) {
        return new PaymentProviderConnector(properties.provider());
    }

    @Bean
    FilterRegistrationBean<PaymentProviderRoutingFilter> paymentProviderRoutingFilter(
            PaymentProviderConnector connector) {
        FilterRegistrationBean<PaymentProviderRoutingFilter> registration = new FilterRegistrationBean<>(
                new PaymentProviderRoutingFilter(connector));
        registration.setOrder(ROUTING_FILTER_ORDER);
        return registration;
    }

    @Bean
    PaymentCredentials paymentCredentials(PaymentProperties properties) {
        return new PaymentCredentials(properties.username(),
                (properties.password() != null) ? properties.password() : UUID.randomUUID().toString());
    }

    /**
     * HTTP Basic against the provider's own single client; the API's users are unknown here. Ordered before the
     * API's chain, which matches every request.
     */
    @Bean
    @Order(1)
    SecurityFilterChain paymentProviderSecurity(HttpSecurity http, PaymentCredentials credentials) throws Exception {
        InMemoryUserDetailsManager clients = new InMemoryUserDetailsManager(User.withUsername(credentials.username())
            .password("{noop}" + credentials.password())
            .roles(PAYMENT_CLIENT_ROLE)
            .build());
        return http.securityMatcher(PaymentProviderRoutingFilter.PATH_PREFIX + "**")
            .authorizeHttpRequests(requests -> requests.anyRequest().hasRole(PAYMENT_CLIENT_ROLE))
            .httpBasic(Customizer.withDefaults())
            .authenticationManager(new ProviderManager(new DaoAuthenticationProvider(clients::loadUserByUsername)))
            .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .csrf(csrf -> csrf.disable())
            .build();
    }

    /** What the API presents to the provider. */
    record PaymentCredentials(String username, String password) {
    }
}
