package io.strata.synthetic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A SentencePiece-style (Llama) vocabulary built without any text: ids 0–2 are {@code <unk>},
 * {@code <s>}, {@code </s>}; ids 3–258 the byte-fallback tokens {@code <0x00>}..{@code <0xFF>};
 * then the pieces made by a deterministic sequence of pair merges over a small alphabet
 * ({@code ▁} marks a word start), in merge order; then the alphabet's single characters. As in
 * Llama's tokenizer.model, a merged piece scores minus its merge rank, so merging by score
 * (SentencePiece) and by rank (Hugging Face BPE) agree; characters score below every merge.
 */
public final class SyntheticVocabulary {
    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    /** SentencePiece token types as GGUF's tokenizer.ggml.token_type stores them. */
    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_UNKNOWN = 2;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_BYTE = 6;
    static final String WORD_START = "\u2581";
    /** Characters by rough English frequency; earlier ones take part in more merges. */
    static final String ALPHABET = WORD_START + "etaoinshrdlcumwfgypbvkjxqz" + "ETAOINSHRDLCUMWFGYPBVKJXQZ"
            + "0123456789" + ".,!?'\"-:;()";
    private static final int FIRST_PIECE = 3 + 256;
    public static final int MIN_SIZE = FIRST_PIECE + ALPHABET.length();
    private static final int MAX_PIECE_CHARS = 16;

    private final String[] pieces;
    private final float[] scores;
    private final int[] types;
    private final int mergeCount;

    private SyntheticVocabulary(String[] pieces, float[] scores, int[] types, int mergeCount) {
        this.pieces = pieces;
        this.scores = scores;
        this.types = types;
        this.mergeCount = mergeCount;
    }

    /** The vocabulary of {@code size} tokens drawn from {@code seed}. */
    public static SyntheticVocabulary build(int size, long seed) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("a synthetic vocabulary needs at least " + MIN_SIZE
                    + " tokens (3 special, 256 byte, " + ALPHABET.length() + " characters), asked for " + size);
        }
        String[] pieces = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        pieces[UNK] = "<unk>";
        pieces[BOS] = "<s>";
        pieces[EOS] = "</s>";
        types[UNK] = TYPE_UNKNOWN;
        types[BOS] = TYPE_CONTROL;
        types[EOS] = TYPE_CONTROL;
        for (int b = 0; b < 256; b++) {
            pieces[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = TYPE_BYTE;
        }
        int[] alphabet = ALPHABET.codePoints().toArray();
        int merges = size - FIRST_PIECE - alphabet.length;
        List<String> merged = merges(alphabet, merges, seed);
        for (int r = 0; r < merges; r++) {
            pieces[FIRST_PIECE + r] = merged.get(r);
            scores[FIRST_PIECE + r] = -r;
            types[FIRST_PIECE + r] = TYPE_NORMAL;
        }
        for (int c = 0; c < alphabet.length; c++) {
            int id = FIRST_PIECE + merges + c;
            pieces[id] = Character.toString(alphabet[c]);
            scores[id] = -(merges + c);
            types[id] = TYPE_NORMAL;
        }
        return new SyntheticVocabulary(pieces, scores, types, merges);
    }

    /**
     * {@code count} new pieces, each the concatenation of two earlier ones. A right part never
     * holds ▁, so ▁ only ever starts a piece, as in real SentencePiece vocabularies. Parts are
     * drawn with a bias towards early (short, frequent) pieces.
     */
    private static List<String> merges(int[] alphabet, int count, long seed) {
        List<String> all = new ArrayList<>();       // characters first, then merges as they are made
        List<String> rightParts = new ArrayList<>(); // pieces without ▁
        Set<String> known = new HashSet<>();
        for (int cp : alphabet) {
            String s = Character.toString(cp);
            all.add(s);
            known.add(s);
            if (!s.equals(WORD_START)) {
                rightParts.add(s);
            }
        }
        List<String> out = new ArrayList<>(count);
        long state = SyntheticWeights.mix64(seed ^ 0x76_6f_63_61_62L); // "vocab": its own stream
        long draws = 0;
        while (out.size() < count) {
            if (draws > 1000L * (count + 1000)) {
                throw new IllegalStateException("could not find " + count + " distinct merges; " + out.size() + " found");
            }
            long z = SyntheticWeights.mix64(state + ++draws * 0x9E3779B97F4A7C15L);
            String left = all.get(skewed(z, all.size()));
            String right = rightParts.get(skewed(z >>> 32, rightParts.size()));
            String piece = left + right;
            if (piece.codePointCount(0, piece.length()) > MAX_PIECE_CHARS || !known.add(piece)) {
                continue;
            }
            out.add(piece);
            all.add(piece);
            if (!piece.contains(WORD_START)) {
                rightParts.add(piece);
            }
        }
        return out;
    }

    /** An index in [0, n) from 32 random bits, cubed so low indices come up far more often. */
    private static int skewed(long bits, int n) {
        double u = (bits & 0xFFFFFFFFL) * 0x1p-32;
        return (int) (u * u * u * n);
    }

    public int size() {
        return pieces.length;
    }

    /** Pieces by id; a copy. */
    public String[] pieces() {
        return pieces.clone();
    }

    public String piece(int id) {
        return pieces[id];
    }

    /** SentencePiece scores by id; a copy. */
    public float[] scores() {
        return scores.clone();
    }

    /** Token types by id (1 normal, 2 unknown, 3 control, 6 byte); a copy. */
    public int[] tokenTypes() {
        return types.clone();
    }

    /** Number of merged (multi-character) pieces. */
    public int mergeCount() {
        return mergeCount;
    }

    /**
     * Hugging Face BPE merges ("left right") in rank order, made as transformers' LlamaConverter
     * makes them from a SentencePiece model: every split of every piece into two vocabulary
     * pieces, ordered by the piece's score (best first), then by the parts' ids.
     */
    public List<String> huggingFaceMerges() {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            if (types[i] == TYPE_NORMAL) {
                ids.put(pieces[i], i);
            }
        }
        record Split(int piece, int left, int right, String text) {
        }
        List<Split> splits = new ArrayList<>();
        for (int id = FIRST_PIECE; id < pieces.length; id++) {
            String p = pieces[id];
            for (int at = p.offsetByCodePoints(0, 1); at < p.length(); at = p.offsetByCodePoints(at, 1)) {
                Integer l = ids.get(p.substring(0, at));
                Integer r = ids.get(p.substring(at));
                if (l != null && r != null) {
                    splits.add(new Split(id, l, r, p.substring(0, at) + " " + p.substring(at)));
                }
            }
        }
        splits.sort(Comparator.comparingDouble((Split s) -> -scores[s.piece])
                .thenComparingInt(Split::left).thenComparingInt(Split::right));
        List<String> out = new ArrayList<>(splits.size());
        for (Split s : splits) {
            out.add(s.text);
        }
        return out;
    }
}
