package dev.reliant.testsupport;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Records what one class logs, at every level, until closed: for tests of what a component reports at which
 * level (a shutdown must not look like a failure, a failure must not hide at debug).
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;

    private final Level previousLevel;

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.previousLevel = logger.getLevel();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
    }

    public static LogCapture of(Class<?> type) {
        return new LogCapture((Logger) LoggerFactory.getLogger(type));
    }

    /** The messages logged at {@code level}, each with its exception's class and message when there was one. */
    public List<String> at(Level level) {
        return List.copyOf(appender.list)
            .stream()
            .filter((event) -> event.getLevel().equals(level))
            .map((event) -> event.getFormattedMessage() + ((event.getThrowableProxy() != null)
                    ? " [" + event.getThrowableProxy().getClassName() + ": "
                            + event.getThrowableProxy().getMessage() + "]" : ""))
            .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
        appender.stop();
    }
}
