package dev.reliant.idempotency.app;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Halts the process after the idempotency filter stored a request's outcome and before the response leaves, when the
 * request says {@code X-Halt: after-store}. Registered outside the idempotency filter.
 */
public class HaltFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!"after-store".equals(request.getHeader(Ledger.HALT_HEADER))) {
            chain.doFilter(request, response);
            return;
        }
        // held back, so that not a byte of the answer leaves before the halt
        chain.doFilter(request, new ContentCachingResponseWrapper(response));
        Runtime.getRuntime().halt(137);
    }
}
