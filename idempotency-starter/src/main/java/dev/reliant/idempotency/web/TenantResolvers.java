package dev.reliant.idempotency.web;

import dev.reliant.idempotency.IdempotencyTenantResolver;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.util.StringUtils;

/** The built-in ways of finding a request's tenant. */
public final class TenantResolvers {

    private TenantResolvers() {
    }

    /**
     * The tenant named by {@code header}, which only a gateway in front of the application may set: the application
     * trusts it as authenticated. With {@code withPrincipal}, the tenant is combined with the principal's name, so
     * that a client that forges the header still reaches only its own keys.
     */
    public static IdempotencyTenantResolver byTrustedHeader(String header, boolean withPrincipal) {
        return request -> {
            String tenant = request.getHeader(header);
            if (!StringUtils.hasText(tenant)) {
                return null;
            }
            if (!withPrincipal) {
                return tenant.trim();
            }
            return tenant.trim() + "/" + ScopeResolvers.principal(request);
        };
    }

    /** No tenant: requests whose keys are scoped by tenant are rejected. */
    public static IdempotencyTenantResolver none() {
        return request -> null;
    }

    static String scope(HttpServletRequest request, IdempotencyTenantResolver resolver) {
        String tenant = resolver.resolve(request);
        return StringUtils.hasText(tenant) ? "tenant:" + tenant : null;
    }
}
