package dev.reliant.idempotency.web;

import java.security.Principal;

import dev.reliant.idempotency.IdempotencyScope;
import dev.reliant.idempotency.IdempotencyScopeResolver;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.util.StringUtils;

/**
 * The scope of a request for each {@link IdempotencyScope}. Scopes carry a kind prefix ({@code user:},
 * {@code tenant:}) so that a user and a tenant with the same name never share keys.
 */
public final class ScopeResolvers {

    static final String GLOBAL = "global";

    private final IdempotencyScopeResolver defaultResolver;

    private final String tenantHeader;

    public ScopeResolvers(IdempotencyScopeResolver defaultResolver, String tenantHeader) {
        this.defaultResolver = defaultResolver;
        this.tenantHeader = tenantHeader;
    }

    /** The scope of {@code request} under {@code scope}; {@code null} when the request has none. */
    public String resolve(HttpServletRequest request, IdempotencyScope scope) {
        return switch (scope) {
            case DEFAULT -> defaultResolver.resolve(request);
            case PRINCIPAL -> principal(request);
            case TENANT -> tenant(request, tenantHeader);
            case GLOBAL -> GLOBAL;
        };
    }

    /** Scope by {@link HttpServletRequest#getUserPrincipal()}, which Spring Security fills in when present. */
    public static IdempotencyScopeResolver byPrincipal() {
        return ScopeResolvers::principal;
    }

    /** Scope by a tenant header. */
    public static IdempotencyScopeResolver byTenantHeader(String header) {
        return request -> tenant(request, header);
    }

    /** One scope for everybody. */
    public static IdempotencyScopeResolver global() {
        return request -> GLOBAL;
    }

    private static String principal(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return (principal != null && StringUtils.hasText(principal.getName())) ? "user:" + principal.getName()
                : "anonymous";
    }

    private static String tenant(HttpServletRequest request, String header) {
        String tenant = request.getHeader(header);
        return StringUtils.hasText(tenant) ? "tenant:" + tenant.trim() : null;
    }

    /**
     * The store key of a client key within a scope. The scope is escaped so that the first unescaped colon always
     * ends it, whatever characters the scope and the key hold.
     */
    public static String storageKey(String scope, String key) {
        return scope.replace("%", "%25").replace(":", "%3A") + ":" + key;
    }
}
