package dev.reliant.saga.core;

/**
 * A step's recorded arguments do not fit its handler's parameters any more, typically because the handler
 * changed between the deploy that recorded the step and the one compensating it. Retrying cannot help.
 */
class IncompatibleArgumentsException extends IllegalStateException {

    IncompatibleArgumentsException(String message) {
        super(message);
    }

}
