package dev.reliant.idempotency;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides whose keys a request's {@code Idempotency-Key} belongs to. Declare a bean of this type to scope keys by
 * something the built-in modes do not know, such as an API key or an account id.
 */
@FunctionalInterface
public interface IdempotencyScopeResolver {

    /**
     * The scope of the request, or {@code null} when the request carries none; a request that needs a scope and has
     * none is rejected with 400.
     */
    String resolve(HttpServletRequest request);

}
