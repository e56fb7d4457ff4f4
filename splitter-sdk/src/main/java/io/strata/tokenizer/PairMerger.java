package io.strata.tokenizer;

import java.util.PriorityQueue;

/**
 * Runs BPE over one run of symbols: repeatedly joins the adjacent pair that ranks best
 * (leftmost among equals) until no pair merges. A priority queue over adjacent pairs and a
 * linked list of symbols, as llama.cpp and Hugging Face do, so a long text costs
 * O(n log n) rather than a rescan of every pair after each merge; the result is the same as
 * the rescanning rule of llama2.c's run.c. Queue entries that a later merge made stale are
 * recognised and skipped when they come up.
 *
 * <p>Symbols are spans of a text ({@code start[i]} to {@code end[i]}) with a token id, or -1
 * for a span that is not in the vocabulary.
 */
final class PairMerger {
    /** Ranks one adjacent pair. */
    interface PairRule {
        /**
         * {@code order << 32 | mergedId} where a smaller (signed) order merges first, or
         * {@link #NO_MERGE} when the pair does not join.
         *
         * @param start where the left symbol starts in the text
         * @param end   where the right symbol ends
         */
        long rank(int leftId, int rightId, int start, int end);
    }

    static final long NO_MERGE = Long.MIN_VALUE;

    private final int[] start;
    private final int[] end;
    private final int[] id;
    private final int[] prev;
    private final int[] next;
    private final boolean[] gone;

    /** {@code starts} ascending, each symbol ending where the next starts and the last at {@code textEnd}. */
    PairMerger(int[] starts, int count, int textEnd, int[] ids) {
        start = starts;
        id = ids;
        end = new int[count];
        prev = new int[count];
        next = new int[count];
        gone = new boolean[count];
        for (int i = 0; i < count; i++) {
            end[i] = i + 1 < count ? starts[i + 1] : textEnd;
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
    }

    /** Merges until no adjacent pair ranks; then walk the result from symbol 0 with {@link #next}. */
    void run(PairRule rule) {
        if (end.length < 2) {
            return;
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < end.length; i++) {
            offer(queue, rule, i, i + 1);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            int left = c.left();
            int right = c.right();
            if (gone[left] || gone[right] || next[left] != right || end[right] != c.rightEnd()) {
                continue;
            }
            end[left] = end[right];
            id[left] = c.mergedId();
            gone[right] = true;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, rule, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, rule, left, next[left]);
            }
        }
    }

    /** Symbol 0 always survives: merges keep the left symbol. */
    int first() {
        return end.length == 0 ? -1 : 0;
    }

    int next(int symbol) {
        return next[symbol];
    }

    int start(int symbol) {
        return start[symbol];
    }

    int end(int symbol) {
        return end[symbol];
    }

    int id(int symbol) {
        return id[symbol];
    }

    private void offer(PriorityQueue<Candidate> queue, PairRule rule, int left, int right) {
        long r = rule.rank(id[left], id[right], start[left], end[right]);
        if (r != NO_MERGE) {
            long order = ((r >> 32) << 32) | left;
            queue.add(new Candidate(order, right, end[right], (int) r));
        }
    }

    /** {@code order} packs the rule's order (high half) over the left symbol (low half): best, then leftmost. */
    private record Candidate(long order, int right, int rightEnd, int mergedId) implements Comparable<Candidate> {
        int left() {
            return (int) order;
        }

        @Override
        public int compareTo(Candidate o) {
            return Long.compare(order, o.order);
        }
    }
}
