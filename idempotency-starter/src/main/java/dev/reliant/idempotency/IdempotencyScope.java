package dev.reliant.idempotency;

/** Whose idempotency keys a request's key belongs to: two scopes never see each other's records. */
public enum IdempotencyScope {

    /** The application's {@link IdempotencyScopeResolver}. */
    DEFAULT,

    /** The authenticated principal's name ({@code HttpServletRequest#getUserPrincipal()}). */
    PRINCIPAL,

    /** The value of the configured tenant header ({@code reliant.idempotency.scope.tenant-header}). */
    TENANT,

    /** One scope for every caller: any client that knows a key can replay its response. */
    GLOBAL

}
