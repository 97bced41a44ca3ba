package dev.reliant.idempotency.web;

import java.security.Principal;

import dev.reliant.idempotency.IdempotencyScope;
import dev.reliant.idempotency.IdempotencyScopeResolver;
import dev.reliant.idempotency.IdempotencyTenantResolver;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.util.StringUtils;

/**
 * The scope of a request for each {@link IdempotencyScope}. Scopes carry a kind prefix ({@code user:},
 * {@code tenant:}) so that a user and a tenant with the same name never share keys. Every built-in scope comes from
 * what the server authenticated (the principal, the tenant of {@link IdempotencyTenantResolver}), never from a value
 * the client chose: that is what keeps one client from reading another's stored responses.
 */
public final class ScopeResolvers {

    static final String GLOBAL = "global";

    private final IdempotencyScopeResolver defaultResolver;

    private final IdempotencyTenantResolver tenantResolver;

    public ScopeResolvers(IdempotencyScopeResolver defaultResolver, IdempotencyTenantResolver tenantResolver) {
        this.defaultResolver = defaultResolver;
        this.tenantResolver = tenantResolver;
    }

    /** The scope of {@code request} under {@code scope}; {@code null} when the request has none. */
    public String resolve(HttpServletRequest request, IdempotencyScope scope) {
        return switch (scope) {
            case DEFAULT -> defaultResolver.resolve(request);
            case PRINCIPAL -> principal(request);
            case TENANT -> TenantResolvers.scope(request, tenantResolver);
            case GLOBAL -> GLOBAL;
        };
    }

    /** Scope by {@link HttpServletRequest#getUserPrincipal()}, which Spring Security fills in when present. */
    public static IdempotencyScopeResolver byPrincipal() {
        return ScopeResolvers::principal;
    }

    /** Scope by the tenant the server authenticated the request for. */
    public static IdempotencyScopeResolver byTenant(IdempotencyTenantResolver tenants) {
        return request -> TenantResolvers.scope(request, tenants);
    }

    /** One scope for everybody. */
    public static IdempotencyScopeResolver global() {
        return request -> GLOBAL;
    }

    static String principal(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return (principal != null && StringUtils.hasText(principal.getName())) ? "user:" + principal.getName()
                : "anonymous";
    }

    /**
     * The store key of a client key within a scope. The scope is escaped so that the first unescaped colon always
     * ends it, whatever characters the scope and the key hold.
     */
    public static String storageKey(String scope, String key) {
        return scope.replace("%", "%25").replace(":", "%3A") + ":" + key;
    }
}
