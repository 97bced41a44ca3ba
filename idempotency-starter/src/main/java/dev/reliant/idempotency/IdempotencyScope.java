package dev.reliant.idempotency;

/** Whose idempotency keys a request's key belongs to: two scopes never see each other's records. */
public enum IdempotencyScope {

    /** The application's {@link IdempotencyScopeResolver}. */
    DEFAULT,

    /** The authenticated principal's name ({@code HttpServletRequest#getUserPrincipal()}). */
    PRINCIPAL,

    /**
     * The tenant the server authenticated the request for ({@link IdempotencyTenantResolver}): by default the
     * principal's {@code TENANT_} authority, or a header set by a trusted gateway when one is configured.
     */
    TENANT,

    /** One scope for every caller: any client that knows a key can replay its response. */
    GLOBAL

}
