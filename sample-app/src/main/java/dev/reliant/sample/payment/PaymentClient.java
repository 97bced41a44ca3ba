package dev.reliant.sample.payment;

import java.util.Map;

import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/** Calls the payment provider over HTTP. Each call commits on the provider's side on its own. */
@Component
public class PaymentClient {

    private final RestClient http;

    private final Environment environment;

    public PaymentClient(RestClient.Builder http, Environment environment) {
        this.http = http.build();
        this.environment = environment;
    }

    /** Charges {@code amountCents} under {@code chargeId}; a repeated call with the same id charges once. */
    public void charge(String chargeId, long amountCents, String reference, boolean providerFails) {
        try {
            http.post()
                .uri(baseUrl() + "/provider/charges")
                .headers(headers -> {
                    if (providerFails) {
                        headers.set(PaymentProviderController.FAULT_HEADER, "unavailable");
                    }
                })
                .body(Map.of("id", chargeId, "amountCents", amountCents, "reference",
                        (reference != null) ? reference : ""))
                .retrieve()
                .toBodilessEntity();
        }
        catch (RestClientResponseException ex) {
            if (ex.getStatusCode().isSameCodeAs(HttpStatus.PAYMENT_REQUIRED)) {
                throw new PaymentDeclinedException(amountCents);
            }
            throw new PaymentUnavailableException("The payment provider answered " + ex.getStatusCode(), ex);
        }
        catch (RestClientException ex) {
            throw new PaymentUnavailableException("The payment provider cannot be reached", ex);
        }
    }

    /**
     * Refunds a charge; refunding twice changes nothing, and refunding a charge that never happened makes the
     * provider refuse it if it arrives later.
     */
    public void refund(String chargeId) {
        http.post().uri(baseUrl() + "/provider/charges/{id}/refund", chargeId).retrieve().toBodilessEntity();
    }

    private String baseUrl() {
        return environment.getProperty("sample.payment.base-url",
                "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port"));
    }
}
