package dev.reliant.idempotency;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Names the tenant that the server authenticated a request for, for keys scoped by tenant
 * ({@link IdempotencyScope#TENANT}). Two requests of one tenant share its keys, so the answer must come from what
 * the server verified (the principal's authorities, a claim of its token, a header that a trusted gateway sets),
 * never from a value the client chose. Declare a bean of this type to read it from elsewhere, for example a JWT
 * claim.
 */
@FunctionalInterface
public interface IdempotencyTenantResolver {

    /** The tenant of the request, or {@code null} when it has none (the request is then rejected with 400). */
    String resolve(HttpServletRequest request);

}
