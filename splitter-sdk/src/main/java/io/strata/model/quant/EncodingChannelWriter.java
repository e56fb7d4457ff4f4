package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Streams float rows into a channel in one encoding through a fixed buffer, so a tensor of
 * any size is written with bounded memory. Call {@link #flush()} when the tensor is done.
 */
public final class EncodingChannelWriter {
    private final WritableByteChannel channel;
    private final RowCodec codec;
    private final ByteBuffer buffer;
    private long bytesWritten;

    /**
     * @param bufferBytes staging buffer size; at least one block of the encoding
     */
    public EncodingChannelWriter(WritableByteChannel channel, TensorEncoding encoding, int bufferBytes) {
        if (bufferBytes < encoding.blockBytes()) {
            throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes cannot hold one "
                    + encoding + " block of " + encoding.blockBytes());
        }
        this.channel = channel;
        this.codec = RowCodec.of(encoding);
        this.buffer = ByteBuffer.allocate(bufferBytes);
    }

    public TensorEncoding encoding() {
        return codec.encoding();
    }

    /** Encodes {@code values[off .. off+count)}; count must be whole blocks. */
    public void write(float[] values, int off, int count) throws IOException {
        RowCodec.checkCount(codec.encoding(), values, off, count);
        int blockSize = codec.encoding().blockSize();
        int blockBytes = codec.encoding().blockBytes();
        while (count > 0) {
            int room = buffer.remaining() / blockBytes * blockSize;
            if (room == 0) {
                drain();
                continue;
            }
            int n = Math.min(room, count);
            codec.encode(values, off, n, buffer);
            off += n;
            count -= n;
        }
    }

    /** Writes everything buffered to the channel. */
    public void flush() throws IOException {
        drain();
    }

    /** Bytes handed to the channel so far (not counting what is still buffered). */
    public long bytesWritten() {
        return bytesWritten;
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            bytesWritten += channel.write(buffer);
        }
        buffer.clear();
    }
}
