package dev.reliant.idempotency.app;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * HTTP Basic users (alice and carol of tenant acme, bob of tenant globex, dave of no tenant, and one with an
 * over-long name) and a public area.
 */
@Configuration(proxyBeanMethods = false)
public class TestSecurity {

    /** A user whose name is longer than the longest scope. */
    public static final String LONG_NAMED_USER = "u".repeat(300);

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.requestMatchers("/public/**", "/error", "/actuator/**")
            .permitAll()
            .anyRequest()
            .authenticated()).httpBasic(Customizer.withDefaults()).csrf(csrf -> csrf.disable()).build();
    }

    /** Not exposed as a password service, so passwords are not upgraded to (slow) BCrypt on first login. */
    @Bean
    UserDetailsService users() {
        InMemoryUserDetailsManager users = new InMemoryUserDetailsManager(
                User.withUsername("alice").password("{noop}alice-pass").authorities("TENANT_acme").build(),
                User.withUsername("bob").password("{noop}bob-pass").authorities("TENANT_globex").build(),
                User.withUsername("carol").password("{noop}carol-pass").authorities("TENANT_acme").build(),
                User.withUsername("dave").password("{noop}dave-pass").build(),
                User.withUsername(LONG_NAMED_USER).password("{noop}" + LONG_NAMED_USER + "-pass").build());
        return users::loadUserByUsername;
    }
}
