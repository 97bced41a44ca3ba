package dev.reliant.idempotency;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A response as stored for replay: status, the allow-listed headers in their original order, and the body bytes.
 */
public record StoredResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {

    public StoredResponse {
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredResponse that && status == that.status && headers.equals(that.headers)
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "StoredResponse[status=" + status + ", headers=" + headers + ", body=" + body.length + " bytes]";
    }
}
