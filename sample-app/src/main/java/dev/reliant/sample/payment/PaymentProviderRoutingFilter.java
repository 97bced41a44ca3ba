package dev.reliant.sample.payment;

import java.io.IOException;

import dev.reliant.sample.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps the provider and the API apart: {@code /provider/**} is served only on the provider's connector, and
 * nothing else is. Otherwise API requests could occupy the provider's threads, and provider calls the API's.
 */
class PaymentProviderRoutingFilter extends OncePerRequestFilter {

    static final String PATH_PREFIX = "/provider/";

    private final PaymentProviderConnector connector;

    PaymentProviderRoutingFilter(PaymentProviderConnector connector) {
        this.connector = connector;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean forProvider = request.getRequestURI().startsWith(request.getContextPath() + PATH_PREFIX);
        if (forProvider != connector.received(request)) {
            ProblemResponses.write(request, response, HttpStatus.NOT_FOUND, "not-found",
                    "Nothing is served at " + request.getRequestURI() + " on this port", null);
            return;
        }
        chain.doFilter(request, response);
    }
}
