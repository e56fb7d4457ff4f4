package io.strata.mesh.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Token ids as a payload: little-endian int32s, like the activations. */
public final class TokenIds {
    private TokenIds() {
    }

    public static byte[] encode(int[] tokens) {
        byte[] out = new byte[tokens.length * 4];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(tokens);
        return out;
    }

    public static int[] decode(byte[] payload) {
        if (payload.length % 4 != 0) {
            throw new IllegalArgumentException("a token payload is whole int32s; got " + payload.length + " bytes");
        }
        int[] out = new int[payload.length / 4];
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }
}
