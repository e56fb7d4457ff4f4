package io.strata.synthetic;

import io.strata.model.TensorEncoding;
import io.strata.model.quant.RowCodec;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Generates a tensor's rows, encodes them and writes them to a channel in chunks of a few
 * megabytes: the rows of a chunk are shared among worker threads, and the next chunk is made
 * while the current one is written. Memory is two chunks whatever the tensor's size, and the
 * bytes do not depend on the number of threads.
 */
final class RowStreamer implements AutoCloseable {
    /** Fills {@code dst[0 .. length)} with row {@code row}. */
    @FunctionalInterface
    interface Rows {
        void fill(long row, float[] dst, int length);
    }

    private static final int CHUNK_BYTES = 4 << 20;
    private final int threads;
    private final ExecutorService pool;
    private final ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[0]);

    RowStreamer(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads + 1, r -> {
            Thread t = new Thread(r, "synthetic-rows");
            t.setDaemon(true);
            return t;
        });
    }

    /** Writes {@code rowCount} rows of {@code rowLength} elements in {@code encoding}; {@code written} hears bytes. */
    void stream(Rows rows, long rowCount, int rowLength, TensorEncoding encoding, WritableByteChannel out,
                LongConsumer written) throws IOException {
        RowCodec codec = RowCodec.of(encoding);
        int rowBytes = Math.toIntExact(encoding.byteSize(rowLength));
        int chunkRows = (int) Math.max(1, Math.min(rowCount, CHUNK_BYTES / Math.max(1, rowBytes)));
        ByteBuffer[] buffers = {ByteBuffer.allocate(chunkRows * rowBytes), ByteBuffer.allocate(chunkRows * rowBytes)};
        Future<?> pending = rowCount == 0 ? null : pool.submit(() -> make(rows, codec, 0,
                Math.min(chunkRows, rowCount), rowLength, rowBytes, buffers[0]));
        int which = 0;
        for (long first = 0; first < rowCount; first += chunkRows) {
            await(pending);
            long next = first + chunkRows;
            ByteBuffer ready = buffers[which];
            which ^= 1;
            if (next < rowCount) {
                ByteBuffer target = buffers[which];
                long end = Math.min(next + chunkRows, rowCount);
                pending = pool.submit(() -> make(rows, codec, next, end, rowLength, rowBytes, target));
            }
            int bytes = (int) ((Math.min(next, rowCount) - first) * rowBytes);
            ByteBuffer view = ready.duplicate().position(0).limit(bytes);
            while (view.hasRemaining()) {
                out.write(view);
            }
            written.accept(bytes);
        }
    }

    /** Rows [first, end) into {@code target}, split over the workers. */
    private Void make(Rows rows, RowCodec codec, long first, long end, int rowLength, int rowBytes, ByteBuffer target)
            throws IOException {
        long n = end - first;
        int parts = (int) Math.min(threads, n);
        if (parts <= 1) {
            encodeRows(rows, codec, first, end, first, rowLength, rowBytes, target);
            return null;
        }
        List<Future<?>> futures = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            long from = first + n * p / parts;
            long to = first + n * (p + 1) / parts;
            if (p == parts - 1) {
                encodeRows(rows, codec, from, to, first, rowLength, rowBytes, target); // this thread takes a share
            } else {
                futures.add(pool.submit(() -> encodeRows(rows, codec, from, to, first, rowLength, rowBytes, target)));
            }
        }
        for (Future<?> f : futures) {
            await(f);
        }
        return null;
    }

    private Void encodeRows(Rows rows, RowCodec codec, long from, long to, long chunkFirst, int rowLength,
                            int rowBytes, ByteBuffer target) {
        float[] row = scratch.get();
        if (row.length < rowLength) {
            row = new float[rowLength];
            scratch.set(row);
        }
        for (long r = from; r < to; r++) {
            rows.fill(r, row, rowLength);
            codec.encode(row, 0, rowLength, target.slice((int) ((r - chunkFirst) * rowBytes), rowBytes));
        }
        return null;
    }

    private static void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while generating weights");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
