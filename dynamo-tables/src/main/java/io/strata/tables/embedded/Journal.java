package io.strata.tables.embedded;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * An append-only file of checksummed records, each forced to disk before {@link #append} returns.
 *
 * <p>Layout: an 8-byte magic {@code STRJNL01}, then records of
 * {@code [payload length u32][crc32 of payload u32][crc32 of the previous 8 bytes u32][payload]}, little-endian.
 * The header checksum makes a damaged length recognisable, so on replay a bad record is told apart as either a torn
 * write (it is the last thing in the file: its declared extent passes the end, or it ends exactly at the end, or only
 * zeros follow) — dropped and cut off so later appends follow good data — or corruption in the middle, which is
 * refused with {@link JournalCorruptedException}.
 */
final class Journal implements Closeable {

    static final int MAX_PAYLOAD = 4 * 1024 * 1024;
    private static final byte[] MAGIC = "STRJNL01".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 12;

    private final Path file;
    private FileChannel channel;
    private boolean broken;

    private Journal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating if needed) the journal and hands every intact record's payload to {@code replay}, in order. */
    static Journal open(Path file, Consumer<byte[]> replay) {
        try {
            Files.deleteIfExists(compactionFile(file));
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                Journal journal = new Journal(file, channel);
                journal.replay(replay);
                return journal;
            } catch (RuntimeException | IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open the journal: " + e.getMessage(), e);
        }
    }

    private void replay(Consumer<byte[]> replay) throws IOException {
        long size = channel.size();
        if (size < MAGIC.length) {
            // A new file, or one whose creation was torn before the magic reached the disk.
            byte[] head = read(0, (int) size);
            if (!Arrays.equals(head, Arrays.copyOf(MAGIC, (int) size))) {
                throw new JournalCorruptedException(file + ": not a Strata journal (it is " + size + " bytes and does not start with STRJNL01)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(MAGIC), 0);
            channel.force(true);
            return;
        }
        if (!Arrays.equals(read(0, MAGIC.length), MAGIC)) {
            throw new JournalCorruptedException(file + ": not a Strata journal (no STRJNL01 magic at offset 0); move it away to start empty");
        }
        long position = MAGIC.length;
        while (position < size) {
            long remaining = size - position;
            if (remaining < HEADER) {
                tornTail(position, "a partial record header");
                return;
            }
            ByteBuffer header = ByteBuffer.wrap(read(position, HEADER)).order(ByteOrder.LITTLE_ENDIAN);
            int length = header.getInt(0);
            int payloadCrc = header.getInt(4);
            int headerCrc = header.getInt(8);
            if (headerCrc != crc(header.array(), 0, 8) || length <= 0 || length > MAX_PAYLOAD) {
                if (zerosFrom(position + HEADER, size)) {
                    tornTail(position, "a damaged record header at the end");
                    return;
                }
                throw new JournalCorruptedException(file + ": damaged record header at offset " + position
                        + " with more data after it; the journal cannot be trusted past this point"
                        + " — restore it from a backup, or truncate it to " + position + " bytes to keep the records before it");
            }
            if (HEADER + (long) length > remaining) {
                tornTail(position, "a record cut short");
                return;
            }
            byte[] payload = read(position + HEADER, length);
            long end = position + HEADER + length;
            if (payloadCrc != crc(payload, 0, length)) {
                if (end == size || zerosFrom(end, size)) {
                    tornTail(position, "a last record with a bad checksum");
                    return;
                }
                throw new JournalCorruptedException(file + ": record at offset " + position
                        + " fails its checksum and more records follow — restore the file from a backup, or truncate it to "
                        + position + " bytes to keep the records before it");
            }
            try {
                replay.accept(payload);
            } catch (RuntimeException e) {
                throw new JournalCorruptedException(file + ": record at offset " + position + " passes its checksum but cannot be read: "
                        + e.getMessage(), e);
            }
            position = end;
        }
    }

    /** The last write was interrupted (a crash mid-append): drop it so the next append follows intact data. */
    private void tornTail(long position, String what) throws IOException {
        System.getLogger(Journal.class.getName()).log(System.Logger.Level.WARNING,
                file + ": dropping " + what + " at offset " + position + " (an interrupted write)");
        channel.truncate(position);
        channel.force(true);
    }

    /** Appends one record and forces it to disk; returns the bytes it occupies. */
    synchronized long append(byte[] payload) {
        if (broken) {
            throw new IllegalStateException(file + ": an earlier write failed and could not be undone; reopen the store");
        }
        if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("journal record of " + payload.length + " bytes; 1.." + MAX_PAYLOAD + " allowed");
        }
        ByteBuffer record = frame(payload);
        long start = -1;
        try {
            start = channel.size();
            long at = start;
            while (record.hasRemaining()) {
                at += channel.write(record, at);
            }
            channel.force(false);
            return HEADER + payload.length;
        } catch (IOException e) {
            undo(start);
            throw new UncheckedIOException(file + ": write failed: " + e.getMessage(), e);
        }
    }

    /** Replaces the journal by one holding exactly {@code payloads} (compaction): written aside, then renamed over. */
    synchronized void rewrite(Iterable<byte[]> payloads) {
        Path aside = compactionFile(file);
        try {
            try (FileChannel out = FileChannel.open(aside, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(MAGIC));
                for (byte[] payload : payloads) {
                    ByteBuffer record = frame(payload);
                    while (record.hasRemaining()) {
                        out.write(record);
                    }
                }
                out.force(true);
            }
            channel.close();
            Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(file.toAbsolutePath().getParent());
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(aside);
                if (!channel.isOpen()) {
                    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
            } catch (IOException again) {
                broken = true;
            }
            throw new UncheckedIOException(file + ": compaction failed (the journal is unchanged): " + e.getMessage(), e);
        }
    }

    synchronized long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": close failed: " + e.getMessage(), e);
        }
    }

    private void undo(long start) {
        try {
            if (start >= 0) {
                channel.truncate(start);
                channel.force(true);
            } else {
                broken = true;
            }
        } catch (IOException e) {
            broken = true;
        }
    }

    private static ByteBuffer frame(byte[] payload) {
        ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(payload.length).putInt(crc(payload, 0, payload.length));
        record.putInt(crc(record.array(), 0, 8));
        record.put(payload).flip();
        return record;
    }

    private byte[] read(long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at " + (position + buffer.position()));
            }
        }
        return buffer.array();
    }

    private boolean zerosFrom(long position, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        for (long at = position; at < size; ) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), size - at));
            int n = channel.read(buffer, at);
            if (n <= 0) {
                return true;
            }
            for (int i = 0; i < n; i++) {
                if (buffer.get(i) != 0) {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static Path compactionFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".compacting");
    }

    private static void forceDirectory(Path directory) {
        // Makes the rename durable; some platforms cannot open a directory, and there the rename is all we can do.
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
