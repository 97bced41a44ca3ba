package dev.reliant.idempotency.web;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import dev.reliant.idempotency.FingerprintMode;
import dev.reliant.idempotency.Idempotent;
import dev.reliant.idempotency.IdempotencyScope;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.server.PathContainer;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.condition.PathPatternsRequestCondition;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Finds the {@link IdempotencyPolicy} of a request: from {@link Idempotent} on the handler method or its class, or
 * else from the first configured path rule that matches. Requests that are neither pass through untouched.
 * {@code @Idempotent} on a class covers its handlers' unsafe methods only: a GET or HEAD changes nothing that a
 * retry could repeat, and claiming keys for it would only make reads conflict.
 */
public class IdempotencyPolicyResolver {

    private final List<RequestMappingHandlerMapping> handlerMappings;

    private final List<CompiledRule> rules;

    private final IdempotencyPolicy defaults;

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final Map<Method, Optional<AnnotatedPolicy>> annotated = new ConcurrentHashMap<>();

    private volatile List<AnnotatedMapping> annotatedMappings;

    public IdempotencyPolicyResolver(List<RequestMappingHandlerMapping> handlerMappings, List<PathRule> rules,
            IdempotencyPolicy defaults) {
        this.handlerMappings = handlerMappings;
        this.defaults = defaults;
        this.rules = rules.stream().map(rule -> new CompiledRule(rule, PathPatternParser.defaultInstance.parse(
                rule.pattern()))).toList();
    }

    /** The policy of the request, or {@code null} when it is not idempotent. */
    public IdempotencyPolicy resolve(HttpServletRequest request) {
        if ("OPTIONS".equals(request.getMethod()) || (rules.isEmpty() && annotatedMappings().isEmpty())) {
            return null;
        }
        PathContainer path = PathContainer.parsePath(requestPath(request));
        AnnotatedMapping candidate = annotatedCandidate(request, path);
        if (candidate != null) {
            HandlerMethod handler = (candidate.onlyHandler() != null) ? candidate.onlyHandler()
                    : handlerMethod(request);
            if (handler != null) {
                Optional<AnnotatedPolicy> policy = annotated.computeIfAbsent(handler.getMethod(),
                        method -> Optional.ofNullable(fromAnnotation(handler)));
                if (policy.isPresent() && policy.get().appliesTo(request.getMethod())) {
                    return policy.get().policy();
                }
            }
        }
        return fromRules(request, path);
    }

    /** The {@link Idempotent} of a handler method, on the method or else on its class. */
    public static Idempotent findAnnotation(HandlerMethod handler) {
        Idempotent onMethod = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), Idempotent.class);
        return (onMethod != null) ? onMethod
                : AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), Idempotent.class);
    }

    /**
     * Whether {@code handler}, mapped by {@code mapping}, may serve an idempotent request: through its
     * {@link Idempotent} (on the method, or on the class for an unsafe method), or through a path rule whose method
     * and pattern may meet the mapping's. Patterns are compared as texts in both directions, so a rule over
     * {@code /orders/**} is found to meet a mapping of {@code /orders/{id}/events}.
     */
    public boolean mayApplyTo(RequestMappingInfo mapping, HandlerMethod handler) {
        Set<String> methods = mapping.getMethodsCondition().getMethods().stream().map(RequestMethod::name)
            .collect(Collectors.toSet());
        Optional<AnnotatedPolicy> policy = Optional.ofNullable(fromAnnotation(handler));
        if (policy.isPresent() && (methods.isEmpty() || methods.stream().anyMatch(policy.get()::appliesTo))) {
            return true;
        }
        PathPatternsRequestCondition patterns = mapping.getPathPatternsCondition();
        for (CompiledRule compiled : rules) {
            String ruleMethod = compiled.rule().method();
            boolean methodMeets = !StringUtils.hasText(ruleMethod) || methods.isEmpty()
                    || methods.stream().anyMatch(ruleMethod::equalsIgnoreCase);
            if (methodMeets && (patterns == null || patterns.getPatterns().stream()
                .anyMatch(pattern -> meet(compiled.pattern(), pattern)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean meet(PathPattern rule, PathPattern mapping) {
        return rule.matches(PathContainer.parsePath(mapping.getPatternString()))
                || mapping.matches(PathContainer.parsePath(rule.getPatternString()));
    }

    /**
     * The first annotated mapping that could serve the request, judged by its patterns and methods alone, or
     * {@code null}. Looking the handler up costs as much as dispatching does, so requests to endpoints that are not
     * idempotent never pay for it, nor do requests to a mapping that no other mapping can compete with.
     */
    private AnnotatedMapping annotatedCandidate(HttpServletRequest request, PathContainer path) {
        for (AnnotatedMapping mapping : annotatedMappings()) {
            if (mapping.mayMatch(request.getMethod(), path)) {
                return mapping;
            }
        }
        return null;
    }

    private List<AnnotatedMapping> annotatedMappings() {
        List<AnnotatedMapping> mappings = annotatedMappings;
        if (mappings == null) {
            List<Map.Entry<RequestMappingInfo, HandlerMethod>> all = handlerMappings.stream()
                .flatMap(mapping -> mapping.getHandlerMethods().entrySet().stream())
                .toList();
            mappings = all.stream()
                .filter(entry -> findAnnotation(entry.getValue()) != null)
                .map(entry -> AnnotatedMapping.of(entry.getKey(),
                        servesAlone(entry.getKey(), all) ? entry.getValue() : null))
                .toList();
            annotatedMappings = mappings;
        }
        return mappings;
    }

    /**
     * Whether a request that matches {@code info}'s patterns and methods can only be served by its handler: its
     * patterns are literal paths, it has no other condition a request could fail (a content type, a parameter, a
     * header, a version), and no other mapping matches one of its paths for one of its methods. The handler of
     * such a request is known without asking the handler mappings.
     */
    private static boolean servesAlone(RequestMappingInfo info, List<Map.Entry<RequestMappingInfo, HandlerMethod>> all) {
        PathPatternsRequestCondition patterns = info.getPathPatternsCondition();
        if (patterns == null || patterns.getPatterns().stream().anyMatch(PathPattern::hasPatternSyntax)
                || !info.getConsumesCondition().isEmpty() || !info.getProducesCondition().isEmpty()
                || !info.getParamsCondition().isEmpty() || !info.getHeadersCondition().isEmpty()
                || !info.getVersionCondition().isEmpty() || info.getCustomCondition() != null) {
            return false;
        }
        Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> other : all) {
            RequestMappingInfo otherInfo = other.getKey();
            if (otherInfo == info) {
                continue;
            }
            Set<RequestMethod> otherMethods = otherInfo.getMethodsCondition().getMethods();
            boolean methodsMeet = methods.isEmpty() || otherMethods.isEmpty()
                    || otherMethods.stream().anyMatch(methods::contains);
            PathPatternsRequestCondition otherPatterns = otherInfo.getPathPatternsCondition();
            if (methodsMeet && (otherPatterns == null || patterns.getPatterns().stream()
                .anyMatch(literal -> otherPatterns.getPatterns().stream().anyMatch(pattern -> matchesPath(pattern,
                        literal.getPatternString()))))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code pattern} matches the literal path, or the path with a trailing slash, as a request may add. */
    private static boolean matchesPath(PathPattern pattern, String path) {
        return pattern.matches(PathContainer.parsePath(path)) || pattern.matches(PathContainer.parsePath(path + "/"));
    }

    private HandlerMethod handlerMethod(HttpServletRequest request) {
        boolean parsedHere = !ServletRequestPathUtils.hasParsedRequestPath(request);
        if (parsedHere) {
            ServletRequestPathUtils.parseAndCache(request);
        }
        try {
            for (RequestMappingHandlerMapping mapping : handlerMappings) {
                HandlerExecutionChain chain = mapping.getHandler(request);
                if (chain != null && chain.getHandler() instanceof HandlerMethod handler) {
                    return handler;
                }
            }
            return null;
        }
        catch (Exception ex) {
            // No handler accepts the request (wrong media type, method, ...): MVC answers it; nothing to protect.
            return null;
        }
        finally {
            if (parsedHere) {
                ServletRequestPathUtils.clearParsedRequestPath(request);
            }
        }
    }

    private AnnotatedPolicy fromAnnotation(HandlerMethod handler) {
        Idempotent idempotent = findAnnotation(handler);
        if (idempotent == null) {
            return null;
        }
        boolean onClass = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), Idempotent.class) == null;
        return new AnnotatedPolicy(new IdempotencyPolicy(idempotent.required(),
                duration(idempotent.ttl(), defaults.retention()), duration(idempotent.lease(), defaults.lease()),
                fingerprint(idempotent.fingerprint()), List.of(idempotent.fingerprintHeaders()), idempotent.scope()),
                onClass);
    }

    private IdempotencyPolicy fromRules(HttpServletRequest request, PathContainer path) {
        for (CompiledRule compiled : rules) {
            PathRule rule = compiled.rule();
            boolean methodMatches = !StringUtils.hasText(rule.method())
                    || rule.method().equalsIgnoreCase(request.getMethod());
            if (methodMatches && compiled.pattern().matches(path)) {
                return new IdempotencyPolicy(rule.required(),
                        (rule.ttl() != null) ? rule.ttl() : defaults.retention(),
                        (rule.lease() != null) ? rule.lease() : defaults.lease(), fingerprint(rule.fingerprint()),
                        List.of(), IdempotencyScope.DEFAULT);
            }
        }
        return null;
    }

    private static String requestPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return (StringUtils.hasLength(context) && uri.startsWith(context)) ? uri.substring(context.length()) : uri;
    }

    private FingerprintMode fingerprint(FingerprintMode mode) {
        return (mode == FingerprintMode.DEFAULT) ? defaults.fingerprint() : mode;
    }

    private static Duration duration(String value, Duration fallback) {
        return StringUtils.hasText(value) ? DurationStyle.detectAndParse(value) : fallback;
    }

    /**
     * An endpoint made idempotent by configuration.
     *
     * @param method the HTTP method, or empty for all
     * @param pattern a {@link PathPattern} over the path within the application
     * @param required whether a key is required
     * @param ttl retention, or {@code null} for the default
     * @param lease lease, or {@code null} for the default
     * @param fingerprint fingerprint mode
     */
    public record PathRule(String method, String pattern, boolean required, Duration ttl, Duration lease,
            FingerprintMode fingerprint) {
    }

    private record CompiledRule(PathRule rule, PathPattern pattern) {
    }

    /** The policy of an annotated handler method; one annotated through its class covers unsafe methods only. */
    private record AnnotatedPolicy(IdempotencyPolicy policy, boolean unsafeMethodsOnly) {

        boolean appliesTo(String method) {
            return !unsafeMethodsOnly || !SAFE_METHODS.contains(method);
        }
    }

    /**
     * The patterns and methods of one annotated mapping; no patterns means the mapping uses the legacy path
     * matcher, and then every request is looked up.
     *
     * @param onlyHandler the handler of every request the mapping may match, when no other mapping can compete
     * for them; otherwise {@code null}, and the handler is looked up
     */
    private record AnnotatedMapping(Set<PathPattern> patterns, Set<RequestMethod> methods, HandlerMethod onlyHandler) {

        static AnnotatedMapping of(RequestMappingInfo info, HandlerMethod onlyHandler) {
            PathPatternsRequestCondition patterns = info.getPathPatternsCondition();
            return new AnnotatedMapping((patterns != null) ? patterns.getPatterns() : Set.of(),
                    info.getMethodsCondition().getMethods(), onlyHandler);
        }

        boolean mayMatch(String method, PathContainer path) {
            boolean methodMatches = methods.isEmpty() || methods.stream().anyMatch(m -> m.name().equals(method));
            return methodMatches && (patterns.isEmpty() || patterns.stream().anyMatch(p -> p.matches(path)));
        }
    }
}
