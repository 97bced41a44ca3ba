package dev.reliant.idempotency.web;

import java.util.List;

import dev.reliant.idempotency.IdempotencyTenantResolver;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import static org.assertj.core.api.Assertions.assertThat;

class TenantResolversTests {

    private final IdempotencyTenantResolver authorities = new AuthorityTenantResolver("TENANT_");

    @Test
    void tenantIsThePrincipalsOneTenantAuthority() {
        assertThat(authorities.resolve(authenticated("bob", "ROLE_USER", "TENANT_globex"))).isEqualTo("globex");
    }

    @Test
    void aClientHeaderNamesNoTenant() {
        MockHttpServletRequest request = authenticated("bob", "ROLE_USER");
        request.addHeader("X-Tenant-Id", "acme");
        assertThat(authorities.resolve(request)).isNull();
        MockHttpServletRequest anonymous = new MockHttpServletRequest();
        anonymous.addHeader("X-Tenant-Id", "acme");
        assertThat(authorities.resolve(anonymous)).isNull();
    }

    @Test
    void severalTenantAuthoritiesNameNoTenant() {
        assertThat(authorities.resolve(authenticated("bob", "TENANT_acme", "TENANT_globex"))).isNull();
    }

    @Test
    void aTrustedHeaderIsCombinedWithThePrincipalUnlessToldOtherwise() {
        MockHttpServletRequest request = authenticated("bob");
        request.addHeader("X-Gateway-Tenant", " acme ");
        assertThat(TenantResolvers.byTrustedHeader("X-Gateway-Tenant", true).resolve(request))
            .isEqualTo("acme/user:bob");
        assertThat(TenantResolvers.byTrustedHeader("X-Gateway-Tenant", false).resolve(request)).isEqualTo("acme");
        assertThat(TenantResolvers.byTrustedHeader("X-Gateway-Tenant", true).resolve(authenticated("bob"))).isNull();
    }

    private static MockHttpServletRequest authenticated(String name, String... authorityNames) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        List<SimpleGrantedAuthority> granted = java.util.Arrays.stream(authorityNames)
            .map(SimpleGrantedAuthority::new)
            .toList();
        request.setUserPrincipal(UsernamePasswordAuthenticationToken.authenticated(name, "n/a", granted));
        return request;
    }
}
