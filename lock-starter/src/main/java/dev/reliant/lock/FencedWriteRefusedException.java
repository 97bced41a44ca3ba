package dev.reliant.lock;

/**
 * A write refused because a later lock holder has written to the resource: the writer's lease lapsed (a pause, a
 * partition) and its transaction must roll back.
 */
public class FencedWriteRefusedException extends RuntimeException {

    private final String resource;

    private final long token;

    private final long fenceToken;

    public FencedWriteRefusedException(String resource, long token, long fenceToken) {
        super("Write to '" + resource + "' with token " + token + " refused: the fence is at token " + fenceToken
                + " from a later holder");
        this.resource = resource;
        this.token = token;
        this.fenceToken = fenceToken;
    }

    public String resource() {
        return resource;
    }

    /** The refused writer's token. */
    public long token() {
        return token;
    }

    /** The token the fence holds. */
    public long fenceToken() {
        return fenceToken;
    }

}
