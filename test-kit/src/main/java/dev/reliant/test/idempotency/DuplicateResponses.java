package dev.reliant.test.idempotency;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The answers to one burst of duplicates, each of them one of three kinds:
 * <ul>
 * <li>the <em>original</em>: the answer of the one request whose handler ran;</li>
 * <li>a <em>replay</em>: the stored answer, marked {@code Idempotent-Replayed: true};</li>
 * <li><em>in progress</em>: {@code 409} with the problem type {@value #IN_PROGRESS_TYPE}, for a duplicate that
 * arrived while the original ran.</li>
 * </ul>
 * Anything else (a second answer that is neither, a {@code 5xx}) is <em>unexpected</em>.
 */
public final class DuplicateResponses {

    /** The problem type of a duplicate refused while the original runs. */
    public static final String IN_PROGRESS_TYPE = "https://reliant.dev/problems/idempotency/request-in-progress";

    /** The header that marks a replayed answer. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final String key;

    private final List<HttpResponse<String>> responses;

    DuplicateResponses(String key, List<HttpResponse<String>> responses) {
        this.key = key;
        this.responses = List.copyOf(responses);
    }

    /** The {@code Idempotency-Key} every duplicate carried. */
    public String key() {
        return key;
    }

    /** Every answer, in the order the requests were created. */
    public List<HttpResponse<String>> all() {
        return responses;
    }

    /** The answers that are neither replays nor in progress: the handler ran once for each. */
    public List<HttpResponse<String>> originals() {
        return responses.stream().filter(response -> !replayed(response) && !inProgress(response)).toList();
    }

    /** The answers replayed from the store. */
    public List<HttpResponse<String>> replays() {
        return responses.stream().filter(DuplicateResponses::replayed).toList();
    }

    /** The {@code 409 request-in-progress} answers. */
    public List<HttpResponse<String>> inProgress() {
        return responses.stream().filter(DuplicateResponses::inProgress).toList();
    }

    /**
     * The original, once {@link #assertHandledOnce()} passed.
     * @throws AssertionError when there is not exactly one original
     */
    public HttpResponse<String> original() {
        List<HttpResponse<String>> originals = originals();
        if (originals.size() != 1) {
            throw failure("Expected exactly one original answer, found " + originals.size());
        }
        return originals.get(0);
    }

    /**
     * Asserts what the client of an idempotent endpoint is promised: exactly one answer is the original, every
     * other is a replay or {@code 409 request-in-progress}, and every replay has the original's status and body
     * byte for byte. An endpoint that is not idempotent answers each duplicate as an original, and fails here.
     * @return this, to go on asserting
     */
    public DuplicateResponses assertHandledOnce() {
        HttpResponse<String> original = original();
        if (original.statusCode() >= 500) {
            throw failure("The original answer is a server error, " + original.statusCode());
        }
        for (HttpResponse<String> replay : replays()) {
            if (replay.statusCode() != original.statusCode() || !replay.body().equals(original.body())) {
                throw failure("A replay differs from the original: " + replay.statusCode() + " " + replay.body());
            }
        }
        return this;
    }

    private AssertionError failure(String message) {
        Map<String, Long> kinds = responses.stream().collect(Collectors.groupingBy(DuplicateResponses::describe,
                LinkedHashMap::new, Collectors.counting()));
        StringBuilder text = new StringBuilder(message).append(" among ").append(responses.size())
            .append(" duplicates with key ").append(key).append(':');
        kinds.forEach((kind, count) -> text.append(System.lineSeparator()).append("  ").append(count).append(" x ")
            .append(kind));
        return new AssertionError(text.toString());
    }

    private static String describe(HttpResponse<String> response) {
        String kind = replayed(response) ? "replay" : inProgress(response) ? "in progress" : "original";
        String body = response.body();
        return kind + " " + response.statusCode() + " "
                + ((body.length() > 200) ? body.substring(0, 200) + "..." : body);
    }

    private static boolean replayed(HttpResponse<String> response) {
        return response.headers().firstValue(REPLAYED_HEADER).map("true"::equalsIgnoreCase).orElse(false);
    }

    private static boolean inProgress(HttpResponse<String> response) {
        return response.statusCode() == 409 && !replayed(response)
                && response.body().contains("\"" + IN_PROGRESS_TYPE + "\"");
    }

}
