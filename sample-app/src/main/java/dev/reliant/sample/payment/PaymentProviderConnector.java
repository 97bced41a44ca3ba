package dev.reliant.sample.payment;

import java.net.InetAddress;

import jakarta.servlet.ServletRequest;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * The stand-in provider's Tomcat connector, added beside the API's. It has its own worker pool: were the provider
 * served by the API's pool, orders that filled the pool would wait for provider calls queued behind them.
 */
public class PaymentProviderConnector implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final Connector connector = new Connector();

    PaymentProviderConnector(PaymentProperties.Provider settings) {
        connector.setPort(settings.port());
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) connector.getProtocolHandler();
        protocol.setAddress(InetAddress.getLoopbackAddress());
        protocol.setMaxThreads(settings.maxThreads());
        protocol.setMinSpareThreads(Math.min(settings.maxThreads(), 4));
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addAdditionalConnectors(connector);
    }

    /** The port the provider listens on, once the server has started. */
    public int port() {
        return connector.getLocalPort();
    }

    /** Whether a request arrived on the provider's connector. */
    boolean received(ServletRequest request) {
        return request.getLocalPort() == port();
    }
}
