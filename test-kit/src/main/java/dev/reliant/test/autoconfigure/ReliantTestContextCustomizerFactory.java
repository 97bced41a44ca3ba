package dev.reliant.test.autoconfigure;

import java.util.List;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/** Gives the context of a {@code @ReliantTest} its {@link ReliantTestDefaults}. */
public class ReliantTestContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return new DefaultsCustomizer();
    }

    /** Every context gets its own defaults (and database), so all customizers are alike for the context cache. */
    private static final class DefaultsCustomizer implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            context.getEnvironment().getPropertySources().addLast(new ReliantTestDefaults());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof DefaultsCustomizer;
        }

        @Override
        public int hashCode() {
            return DefaultsCustomizer.class.hashCode();
        }

    }

}
