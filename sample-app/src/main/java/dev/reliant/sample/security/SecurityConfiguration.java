package dev.reliant.sample.security;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * HTTP Basic with the demo users of {@code sample.users} (alice/alice-pass and bob/bob-pass by default), who use
 * the API, and the operators of {@code sample.operators} (ops/ops-pass by default), who alone reach the starters'
 * Actuator endpoints and health's details. Health's status stays public, for probes.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /** The role of the API's users. */
    static final String USER = "USER";

    /** The role that reaches the operations endpoints; {@code management.endpoint.health.roles} names it too. */
    static final String OPERATOR = "OPERATOR";

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return http
            .authorizeHttpRequests(requests -> requests.requestMatchers(EndpointRequest.to("health"))
                .permitAll()
                .requestMatchers(EndpointRequest.toAnyEndpoint())
                .hasRole(OPERATOR)
                .requestMatchers("/error")
                .permitAll()
                .anyRequest()
                .hasRole(USER))
            .httpBasic(Customizer.withDefaults())
            // A JSON API for programmatic clients with Basic credentials: no browser session, no CSRF token.
            .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .csrf(csrf -> csrf.disable())
            .build();
    }

    /**
     * The users and operators, looked up through a plain {@link UserDetailsService}: an
     * {@link InMemoryUserDetailsManager} exposed as itself would let Spring Security "upgrade" each password to
     * BCrypt on first login, after which every request pays for a BCrypt check.
     */
    @Bean
    UserDetailsService sampleUsers(SampleUsers users) {
        List<UserDetails> details = Stream
            .concat(withRole(users.users(), USER), withRole(users.operators(), OPERATOR))
            .toList();
        InMemoryUserDetailsManager manager = new InMemoryUserDetailsManager(details);
        return manager::loadUserByUsername;
    }

    private static Stream<UserDetails> withRole(Map<String, String> users, String role) {
        return users.entrySet()
            .stream()
            .map(user -> User.withUsername(user.getKey()).password("{noop}" + user.getValue()).roles(role).build());
    }

    /**
     * Who may sign in. A name belongs in one of the two maps only.
     *
     * @param users the API's users: user name to password
     * @param operators the operators: user name to password
     */
    @ConfigurationProperties("sample")
    record SampleUsers(@DefaultValue Map<String, String> users, @DefaultValue Map<String, String> operators) {
    }
}
