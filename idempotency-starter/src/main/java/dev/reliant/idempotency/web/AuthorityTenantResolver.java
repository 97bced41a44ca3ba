package dev.reliant.idempotency.web;

import java.security.Principal;

import dev.reliant.idempotency.IdempotencyTenantResolver;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * The tenant from the Spring Security authorities of the authenticated principal: the one authority that starts
 * with the prefix (by default {@code TENANT_}, so {@code TENANT_acme} is tenant {@code acme}). A principal with none,
 * or with several (which one the request means is then not known), has no tenant. A JWT claim becomes such an
 * authority through the resource server's {@code JwtGrantedAuthoritiesConverter}.
 */
public final class AuthorityTenantResolver implements IdempotencyTenantResolver {

    private final String prefix;

    public AuthorityTenantResolver(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public String resolve(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        if (!(principal instanceof Authentication authentication) || !authentication.isAuthenticated()) {
            return null;
        }
        String tenant = null;
        for (GrantedAuthority authority : authentication.getAuthorities()) {
            String name = authority.getAuthority();
            if (name != null && name.startsWith(prefix) && name.length() > prefix.length()) {
                if (tenant != null) {
                    return null;
                }
                tenant = name.substring(prefix.length());
            }
        }
        return tenant;
    }
}
