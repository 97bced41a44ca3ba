package dev.reliant.idempotency.web;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * What the handler method of one idempotent request did, recorded where it is invoked (after Spring MVC resolved and
 * validated its arguments) rather than guessed from the class of a later exception: it never started, it is running,
 * it returned, or it threw. An exception raised after it returned (a 406 while writing the response, a serialization
 * error) is noted separately: the request ran, whatever MVC answered afterwards.
 */
public final class HandlerInvocation {

    static final String ATTRIBUTE = HandlerInvocation.class.getName();

    /** Where the handler is. */
    public enum State {

        /** Argument resolution, message conversion or validation refused the request; nothing ran. */
        NOT_STARTED,

        /** The handler method is running. */
        RUNNING,

        /** The handler method returned normally. */
        RETURNED,

        /** The handler method threw. */
        THREW

    }

    private volatile State state = State.NOT_STARTED;

    private volatile boolean failedAfterReturn;

    private int depth;

    /** Starts recording the handler invocation of {@code request}. */
    static HandlerInvocation track(HttpServletRequest request) {
        HandlerInvocation invocation = new HandlerInvocation();
        request.setAttribute(ATTRIBUTE, invocation);
        return invocation;
    }

    /** The invocation being recorded for {@code request}, or {@code null} when it is not an idempotent one. */
    static HandlerInvocation of(HttpServletRequest request) {
        return (HandlerInvocation) request.getAttribute(ATTRIBUTE);
    }

    /** The invocation being recorded for the request bound to this thread, or {@code null}. */
    static HandlerInvocation current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return (attributes != null)
                ? (HandlerInvocation) attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST) : null;
    }

    public State state() {
        return state;
    }

    /** Whether an exception was raised after the handler returned, while MVC handled its return value. */
    public boolean failedAfterReturn() {
        return failedAfterReturn;
    }

    /** A handler calling another handler method of a proxied controller is still one invocation. */
    synchronized boolean enter() {
        if (depth++ == 0) {
            state = State.RUNNING;
            return true;
        }
        return false;
    }

    synchronized void exit(boolean returned) {
        if (--depth == 0) {
            state = returned ? State.RETURNED : State.THREW;
        }
    }

    void exceptionRaised() {
        if (state == State.RETURNED) {
            failedAfterReturn = true;
        }
    }
}
