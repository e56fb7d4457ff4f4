package io.strata.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * BPE merge rules keyed by the pair of token ids they join: rank (lower merges first) and the
 * id of the joined token. Open addressing over primitive arrays, because vocabularies such as
 * Llama 3's carry 280,000 merges and boxed maps would cost tens of megabytes.
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] merged;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 + 1)) << 1;
        keys = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        merged = new int[capacity];
        mask = capacity - 1;
    }

    /**
     * The table for {@code merges}, pairs {left, right} in rank order, over the vocabulary
     * {@code ids} (piece → id). Both pieces of a pair and their join must be in the vocabulary.
     */
    static MergeTable of(Map<String, Integer> ids, List<String[]> merges) {
        MergeTable table = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] pair = merges.get(rank);
            if (pair == null || pair.length != 2 || pair[0] == null || pair[1] == null) {
                throw new IllegalArgumentException("merge #" + rank + " is not a pair of two pieces");
            }
            Integer left = ids.get(pair[0]);
            Integer right = ids.get(pair[1]);
            Integer joined = ids.get(pair[0] + pair[1]);
            String missing = left == null ? pair[0] : right == null ? pair[1] : joined == null ? pair[0] + pair[1] : null;
            if (missing != null) {
                throw new IllegalArgumentException("merge #" + rank + " (" + pair[0] + " " + pair[1] + ") needs the piece \""
                        + missing + "\" which is not in the vocabulary");
            }
            table.put(left, right, rank, joined);
        }
        return table;
    }

    /**
     * Adds the rule joining {@code left} and {@code right} into {@code result}; a pair already
     * present keeps its earlier (better) rank, as Hugging Face does.
     */
    void put(int left, int right, int rank, int result) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("merge table sized for fewer rules");
        }
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ranks[slot] = rank;
        merged[slot] = result;
        size++;
    }

    /**
     * The rule for the pair as {@code rank << 32 | mergedId}, or -1 when the pair does not
     * merge (ids below zero never merge).
     */
    long find(int left, int right) {
        if (left < 0 || right < 0) {
            return -1;
        }
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return ((long) ranks[slot] << 32) | (merged[slot] & 0xffffffffL);
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    int size() {
        return size;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 33) & mask;
    }
}
