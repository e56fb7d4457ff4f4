package io.strata.mesh.transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of an OPEN frame: everything a stage needs to serve one session. The gateway fixes
 * the path (one replica per stage); each stage passes the OPEN to the next, sends hidden states
 * along the path, and the last stage sends each sampled token to stage 0 and to the gateway.
 *
 * @param modelId     the model served
 * @param path        one hop per stage, in order
 * @param gateway     where sampled tokens and errors go
 * @param temperature sampling temperature; 0 is greedy
 * @param topP        nucleus cut (0 or ≥ 1: none)
 * @param seed        key of the (seed, step) random draws
 * @param maxTokens   generation steps in all: the last stage stops after step {@code maxTokens - 1}
 * @param capacity    positions each stage keeps in its KV cache for this session
 * @param stopTokens  tokens that end generation (end of sequence)
 * @param wireDType   how hidden states travel between this session's stages
 */
public record SessionOpen(String modelId, List<Hop> path, Hop gateway, float temperature, float topP, long seed,
                          int maxTokens, int capacity, int[] stopTokens, WireDType wireDType) {

    /** A node on the path: the block it runs for this session (empty for the gateway) and where to reach it. */
    public record Hop(String blockId, String nodeId, String host, int port) {
        public PeerAddress address() {
            return new PeerAddress(host, port);
        }
    }

    public SessionOpen {
        path = List.copyOf(path);
        stopTokens = stopTokens.clone();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a session's path needs at least one stage");
        }
        if (path.size() >= Frame.GATEWAY) {
            throw new IllegalArgumentException("a path of " + path.size() + " stages is too long");
        }
        if (maxTokens < 1 || capacity < 1) {
            throw new IllegalArgumentException("a session needs max tokens and capacity ≥ 1, got " + maxTokens + " and "
                    + capacity);
        }
        if (!wireDType.carriesActivations()) {
            throw new IllegalArgumentException("hidden states travel as f32, f16, bf16 or q8, not " + wireDType);
        }
    }

    public boolean isStop(int token) {
        for (int s : stopTokens) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(modelId);
            out.writeShort(path.size());
            for (Hop h : path) {
                writeHop(out, h);
            }
            writeHop(out, gateway);
            out.writeFloat(temperature);
            out.writeFloat(topP);
            out.writeLong(seed);
            out.writeInt(maxTokens);
            out.writeInt(capacity);
            out.writeShort(stopTokens.length);
            for (int t : stopTokens) {
                out.writeInt(t);
            }
            out.writeByte(wireDType.code);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException when the payload is not a whole, valid session open */
    public static SessionOpen decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            String model = in.readUTF();
            int stages = in.readUnsignedShort();
            List<Hop> path = new ArrayList<>(stages);
            for (int i = 0; i < stages; i++) {
                path.add(readHop(in));
            }
            Hop gateway = readHop(in);
            float temperature = in.readFloat();
            float topP = in.readFloat();
            long seed = in.readLong();
            int maxTokens = in.readInt();
            int capacity = in.readInt();
            int[] stops = new int[in.readUnsignedShort()];
            for (int i = 0; i < stops.length; i++) {
                stops[i] = in.readInt();
            }
            WireDType dtype = WireDType.ofCode(in.readUnsignedByte());
            if (dtype == null) {
                throw new IllegalArgumentException("unknown wire dtype in a session open");
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " unexpected bytes after a session open");
            }
            return new SessionOpen(model, path, gateway, temperature, topP, seed, maxTokens, capacity, stops, dtype);
        } catch (IOException e) {
            throw new IllegalArgumentException("a session open payload is cut short: " + e.getMessage());
        }
    }

    private static void writeHop(DataOutputStream out, Hop h) throws IOException {
        out.writeUTF(h.blockId());
        out.writeUTF(h.nodeId());
        out.writeUTF(h.host());
        out.writeShort(h.port());
    }

    private static Hop readHop(DataInputStream in) throws IOException {
        return new Hop(in.readUTF(), in.readUTF(), in.readUTF(), in.readUnsignedShort());
    }
}
