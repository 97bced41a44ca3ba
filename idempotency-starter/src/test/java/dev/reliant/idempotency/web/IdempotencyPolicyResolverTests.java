package dev.reliant.idempotency.web;

import java.time.Duration;
import java.util.List;

import dev.reliant.idempotency.FingerprintMode;
import dev.reliant.idempotency.Idempotent;
import dev.reliant.idempotency.IdempotencyScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockServletContext;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resolver answers from an annotated mapping alone only where no other mapping can serve the request; wherever
 * another one could, the handler MVC would pick decides.
 */
class IdempotencyPolicyResolverTests {

    private static final IdempotencyPolicy DEFAULTS = new IdempotencyPolicy(false, Duration.ofHours(24),
            Duration.ofSeconds(10), FingerprintMode.BODY, List.of(), IdempotencyScope.DEFAULT);

    private AnnotationConfigWebApplicationContext context;

    private IdempotencyPolicyResolver resolver;

    @BeforeEach
    void start() {
        context = new AnnotationConfigWebApplicationContext();
        context.setServletContext(new MockServletContext());
        context.register(Mvc.class, Payments.class);
        context.refresh();
        resolver = new IdempotencyPolicyResolver(List.of(context.getBean(RequestMappingHandlerMapping.class)),
                List.of(), DEFAULTS);
    }

    @AfterEach
    void stop() {
        context.close();
    }

    @Test
    void aLiteralPathNoOtherMappingMatchesIsIdempotent() {
        assertThat(resolver.resolve(new MockHttpServletRequest("POST", "/refunds"))).isNotNull();
        assertThat(resolver.resolve(new MockHttpServletRequest("POST", "/refunds/7"))).isNull();
    }

    @Test
    void anotherMethodOnTheSamePathDoesNotCompete() {
        assertThat(resolver.resolve(new MockHttpServletRequest("POST", "/charges"))).isNotNull();
        assertThat(resolver.resolve(new MockHttpServletRequest("PUT", "/charges"))).isNull();
    }

    @Test
    void aMoreSpecificMappingOnTheSamePathWinsAsItDoesInMvc() {
        MockHttpServletRequest preview = new MockHttpServletRequest("POST", "/payments");
        preview.setParameter("preview", "true");
        assertThat(resolver.resolve(preview)).as("served by the preview mapping, which is not idempotent").isNull();
        assertThat(resolver.resolve(new MockHttpServletRequest("POST", "/payments"))).isNotNull();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableWebMvc
    static class Mvc {

    }

    @RestController
    static class Payments {

        @Idempotent
        @PostMapping("/payments")
        String pay() {
            return "paid";
        }

        @PostMapping(path = "/payments", params = "preview")
        String preview() {
            return "preview";
        }

        @Idempotent
        @PostMapping("/refunds")
        String refund() {
            return "refunded";
        }

        @PostMapping("/refunds/{id}")
        String refundOne() {
            return "refunded one";
        }

        @Idempotent
        @PostMapping("/charges")
        String charge() {
            return "charged";
        }

        @PutMapping("/charges")
        String replaceCharges() {
            return "replaced";
        }
    }
}
