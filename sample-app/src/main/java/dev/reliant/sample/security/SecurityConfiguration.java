package dev.reliant.sample.security;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * HTTP Basic with demo users from {@code sample.users} (alice/alice-pass and bob/bob-pass by default). Health and
 * the stand-in payment provider are public.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return http
            .authorizeHttpRequests(requests -> requests.requestMatchers("/actuator/health/**", "/provider/**", "/error")
                .permitAll()
                .anyRequest()
                .authenticated())
            .httpBasic(Customizer.withDefaults())
            // A JSON API for programmatic clients with Basic credentials: no browser session, no CSRF token.
            .csrf(csrf -> csrf.disable())
            .build();
    }

    /**
     * The demo users, looked up through a plain {@link UserDetailsService}: an {@link InMemoryUserDetailsManager}
     * exposed as itself would let Spring Security "upgrade" each password to BCrypt on first login, after which
     * every request pays for a BCrypt check.
     */
    @Bean
    UserDetailsService sampleUsers(SampleUsers users) {
        List<UserDetails> details = users.users()
            .entrySet()
            .stream()
            .map(user -> User.withUsername(user.getKey()).password("{noop}" + user.getValue()).build())
            .toList();
        InMemoryUserDetailsManager manager = new InMemoryUserDetailsManager(details);
        return manager::loadUserByUsername;
    }

    /**
     * The demo users.
     *
     * @param users user name to password
     */
    @ConfigurationProperties("sample")
    record SampleUsers(Map<String, String> users) {
    }
}
