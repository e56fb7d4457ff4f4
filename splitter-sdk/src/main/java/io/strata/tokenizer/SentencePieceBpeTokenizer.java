package io.strata.tokenizer;

import io.strata.model.gguf.GgufType;
import io.strata.model.gguf.GgufValue;
import io.strata.model.gguf.GgufValue.GgufArray;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece-style BPE (Llama 1/2, Mistral, TinyLlama, the llama2.c tinyllamas), encoding as
 * llama2.c's run.c and llama.cpp's SPM tokenizer do: a dummy-prefix space before the text,
 * spaces written as {@code ▁} (U+2581) in GGUF and Hugging Face vocabularies or kept as spaces
 * in llama2.c files, one symbol per character, then merges of the adjacent pair whose joined
 * piece scores highest (leftmost among equals) until none joins; characters still unknown at
 * the end fall back to {@code <0xNN>} byte tokens.
 *
 * <p>Hugging Face {@code tokenizer.json} files of this family order merges by an explicit merge
 * list instead of scores ({@link #withMerges}); the rest is the same.
 *
 * <p>Control and user-defined tokens written in the text ({@code </s>}, {@code <s>}) are taken as
 * those tokens, as llama.cpp does for prompts, and the dummy prefix is added again after each.
 */
public final class SentencePieceBpeTokenizer implements Tokenizer {
    private static final char METASPACE = '\u2581';

    private final String[] pieces;
    private final byte[] types;
    private final float[] scores;
    private final MergeTable merges;
    private final Map<String, Integer> index;
    private final int[] byteTokens;
    private final byte[][] output;
    private final int bos;
    private final int eos;
    private final int unk;
    private final boolean addBos;
    private final boolean addDummyPrefix;
    private final boolean metaspace;
    private final boolean prefixEverySegment;
    private final boolean prefixOnlyWithoutSpace;
    private final List<WordSplit> splits;
    private final Normalizer.Form normalization;
    private final SpecialTokenMatcher specials;

    /**
     * A vocabulary whose merges follow piece scores (GGUF "llama", llama2.c files).
     *
     * @param pieces          the vocabulary, by id
     * @param scores          one per piece; a higher score merges first
     * @param tokenTypes      one per piece, {@link TokenType} values; null derives them (see {@link #deriveTypes})
     * @param bos             beginning-of-sequence id, or -1
     * @param eos             end-of-sequence id, or -1
     * @param unk             unknown-token id, or -1
     * @param addBos          whether the model expects BOS before a prompt
     * @param addDummyPrefix  whether a space goes before non-empty text (SentencePiece's add_dummy_prefix)
     * @param metaspacePieces true when pieces write spaces as {@code ▁} (GGUF), false for raw spaces (llama2.c)
     */
    public SentencePieceBpeTokenizer(String[] pieces, float[] scores, int[] tokenTypes, int bos, int eos, int unk,
                                     boolean addBos, boolean addDummyPrefix, boolean metaspacePieces) {
        this(pieces, requireLength(scores, pieces), null, tokenTypes, bos, eos, unk, addBos, addDummyPrefix,
                metaspacePieces, true, false, List.of(), null);
    }

    private SentencePieceBpeTokenizer(String[] pieces, float[] scores, MergeTable merges, int[] tokenTypes,
                                      int bos, int eos, int unk, boolean addBos, boolean addDummyPrefix,
                                      boolean metaspace, boolean prefixEverySegment, boolean prefixOnlyWithoutSpace,
                                      List<WordSplit> splits, Normalizer.Form normalization) {
        if (pieces == null || pieces.length == 0) {
            throw new IllegalArgumentException("a vocabulary needs at least one piece");
        }
        Vocabulary vocabulary = Vocabulary.of(pieces,
                tokenTypes != null ? tokenTypes : deriveTypes(pieces, bos, eos, unk), bos, eos, unk);
        this.pieces = vocabulary.pieces();
        this.types = vocabulary.types();
        this.bos = vocabulary.bos();
        this.eos = vocabulary.eos();
        this.unk = vocabulary.unk();
        int n = pieces.length;
        this.scores = scores == null ? null : scores.clone();
        this.merges = merges;
        this.addBos = addBos && bos >= 0;
        this.addDummyPrefix = addDummyPrefix;
        this.metaspace = metaspace;
        this.prefixEverySegment = prefixEverySegment;
        this.prefixOnlyWithoutSpace = prefixOnlyWithoutSpace;
        this.splits = List.copyOf(splits);
        this.normalization = normalization;

        index = new HashMap<>(n * 2);
        byteTokens = new int[256];
        Arrays.fill(byteTokens, -1);
        Map<String, Integer> special = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            switch (types[i]) {
                case TokenType.NORMAL -> index.putIfAbsent(pieces[i], i);
                case TokenType.USER_DEFINED -> {
                    index.putIfAbsent(pieces[i], i);
                    special.putIfAbsent(pieces[i], i);
                }
                // llama.cpp also takes an unknown token written out (<unk>) as that token
                case TokenType.CONTROL, TokenType.UNKNOWN -> special.putIfAbsent(pieces[i], i);
                case TokenType.BYTE -> {
                    int b = TokenType.byteOfPiece(pieces[i]);
                    if (b < 0) {
                        throw new IllegalArgumentException("piece " + i + " (" + pieces[i]
                                + ") is a byte token but not of the form <0xNN>");
                    }
                    if (byteTokens[b] < 0) {
                        byteTokens[b] = i;
                    }
                }
                default -> {
                }
            }
        }
        specials = new SpecialTokenMatcher(special);
        output = new byte[n][];
        for (int i = 0; i < n; i++) {
            output[i] = switch (types[i]) {
                case TokenType.CONTROL -> new byte[0];
                case TokenType.BYTE -> new byte[] {(byte) TokenType.byteOfPiece(pieces[i])};
                default -> (metaspace ? pieces[i].replace(METASPACE, ' ') : pieces[i]).getBytes(StandardCharsets.UTF_8);
            };
        }
    }

    /**
     * A vocabulary whose merges follow an explicit, ranked merge list (Hugging Face
     * {@code tokenizer.json} with {@code byte_fallback}); pieces write spaces as {@code ▁}.
     *
     * @param merges             pairs {left, right} in rank order; both and their join must be pieces
     * @param prefixEverySegment     true adds the dummy prefix after every special token too (a Prepend
     *                               normalizer, Metaspace "always"), false only at the very start of the
     *                               text (Metaspace "first")
     * @param prefixOnlyWithoutSpace true skips the prefix where the text already starts with a space
     *                               (Metaspace), false always adds it (Prepend, SentencePiece)
     * @param splits                 pre-tokenizer cuts applied in turn to the spaced text (Metaspace's split
     *                               before every {@code ▁}, a Split step); merges never cross a cut
     * @param normalization          Unicode normalization of each text run before anything else, or null
     */
    static SentencePieceBpeTokenizer withMerges(String[] pieces, int[] tokenTypes, List<String[]> merges,
                                                int bos, int eos, int unk, boolean addBos,
                                                boolean addDummyPrefix, boolean prefixEverySegment,
                                                boolean prefixOnlyWithoutSpace, List<WordSplit> splits,
                                                Normalizer.Form normalization) {
        Map<String, Integer> ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            if (pieces[i] != null) {
                ids.putIfAbsent(pieces[i], i);
            }
        }
        MergeTable table = MergeTable.of(ids, merges);
        return new SentencePieceBpeTokenizer(pieces, null, table, tokenTypes, bos, eos, unk, addBos, addDummyPrefix,
                true, prefixEverySegment, prefixOnlyWithoutSpace, splits, normalization);
    }

    /**
     * This vocabulary as GGUF {@code tokenizer.ggml.*} metadata ("llama" model, pieces with
     * {@code ▁}), so a model read from a llama2.c checkpoint can be written as a GGUF file that
     * tokenizes identically.
     *
     * @throws IllegalStateException for a merge-ranked vocabulary: GGUF "llama" merges by score,
     *                               which cannot express every ranked merge list exactly
     */
    public Map<String, GgufValue> ggufMetadata() {
        if (scores == null) {
            throw new IllegalStateException("a merge-ranked vocabulary has no scores to write as GGUF \"llama\" metadata");
        }
        String[] metaPieces = new String[pieces.length];
        int[] typeIds = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            boolean plain = types[i] == TokenType.NORMAL || types[i] == TokenType.USER_DEFINED;
            metaPieces[i] = metaspace || !plain ? pieces[i] : pieces[i].replace(' ', METASPACE);
            typeIds[i] = types[i];
        }
        var md = new LinkedHashMap<String, GgufValue>();
        md.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        md.put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(
                GgufType.STRING, metaPieces)));
        md.put("tokenizer.ggml.scores", GgufValue.ofArray(new GgufArray(
                GgufType.FLOAT32, scores.clone())));
        md.put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(
                GgufType.INT32, typeIds)));
        if (bos >= 0) {
            md.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(bos));
        }
        if (eos >= 0) {
            md.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(eos));
        }
        if (unk >= 0) {
            md.put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(unk));
        }
        md.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(addBos));
        md.put("tokenizer.ggml.add_space_prefix", GgufValue.ofBool(addDummyPrefix));
        return md;
    }

    /**
     * Token types for a vocabulary that does not carry them (llama2.c files): {@code unk} is
     * UNKNOWN, {@code bos} and {@code eos} CONTROL, {@code <0xNN>} pieces BYTE, the rest NORMAL.
     */
    public static int[] deriveTypes(String[] pieces, int bos, int eos, int unk) {
        int[] t = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            if (i == unk) {
                t[i] = TokenType.UNKNOWN;
            } else if (i == bos || i == eos) {
                t[i] = TokenType.CONTROL;
            } else if (TokenType.byteOfPiece(pieces[i]) >= 0) {
                t[i] = TokenType.BYTE;
            } else {
                t[i] = TokenType.NORMAL;
            }
        }
        return t;
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        if (text == null) {
            throw new IllegalArgumentException("text to encode is null");
        }
        IntList out = new IntList(text.length() + 2);
        if (addBos && bos >= 0) {
            out.add(bos);
        }
        boolean afterSpecial = true;
        for (SpecialTokenMatcher.Segment segment : specials.split(text)) {
            if (segment.isToken()) {
                out.add(segment.token());
                afterSpecial = true;
                continue;
            }
            String s = normalization == null ? segment.text() : Normalizer.normalize(segment.text(), normalization);
            if (s.isEmpty()) {
                continue;
            }
            // Metaspace looks at the text it is given: one already starting with ▁ gets no second one
            if (addDummyPrefix && afterSpecial && (prefixEverySegment || segment.offset() == 0)
                    && !(prefixOnlyWithoutSpace && (s.charAt(0) == ' ' || s.charAt(0) == METASPACE))) {
                s = " " + s;
            }
            if (metaspace) {
                s = s.replace(' ', METASPACE);
            }
            List<String> words = List.of(s);
            for (WordSplit split : splits) {
                words = words.stream().flatMap(w -> split.apply(w).stream()).toList();
            }
            for (String word : words) {
                encodeRun(word, out);
            }
            afterSpecial = false;
        }
        return out.toArray();
    }

    private void encodeRun(String s, IntList out) {
        if (s.isEmpty()) {
            return;
        }
        int[] starts = new int[s.length()];
        int[] ids = new int[s.length()];
        int count = 0;
        for (int i = 0; i < s.length(); ) {
            int next = i + Character.charCount(s.codePointAt(i));
            starts[count] = i;
            ids[count] = index.getOrDefault(s.substring(i, next), -1);
            count++;
            i = next;
        }
        PairMerger merger = new PairMerger(starts, count, s.length(), ids);
        merger.run(merges != null
                ? (left, right, from, to) -> {
                    long r = merges.find(left, right);
                    return r < 0 ? PairMerger.NO_MERGE : r;
                }
                : (left, right, from, to) -> {
                    Integer joined = index.get(s.substring(from, to));
                    if (joined == null || Float.isNaN(scores[joined])) {
                        return PairMerger.NO_MERGE;
                    }
                    return ((long) descendingOrder(scores[joined]) << 32) | joined;
                });
        for (int sym = merger.first(); sym >= 0; sym = merger.next(sym)) {
            int id = merger.id(sym);
            if (id >= 0) {
                out.add(id);
            } else {
                appendByteFallback(s.substring(merger.start(sym), merger.end(sym)), out);
            }
        }
    }

    private void appendByteFallback(String symbol, IntList out) {
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        boolean all = true;
        for (byte b : bytes) {
            all &= byteTokens[b & 0xff] >= 0;
        }
        if (all) {
            for (byte b : bytes) {
                out.add(byteTokens[b & 0xff]);
            }
        } else if (unk >= 0) {
            out.add(unk);
        } else {
            throw new IllegalArgumentException("text has \"" + symbol + "\" (U+"
                    + Integer.toHexString(symbol.codePointAt(0)).toUpperCase()
                    + ") which this vocabulary has no piece, byte token or unknown token for");
        }
    }

    /** An int whose signed order is the float's descending order; -0.0 and 0.0 tie, as in run.c's float compare. */
    private static int descendingOrder(float score) {
        float negated = -score + 0.0f;
        int bits = Float.floatToIntBits(negated == 0.0f ? 0.0f : negated);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    @Override
    public byte[] decodeBytes(int previous, int token) {
        if (Vocabulary.beyondPieces(token, pieces.length)) {
            return new byte[0];
        }
        checkToken(token);
        byte[] bytes = output[token];
        // SentencePiece drops the dummy-prefix space of the first piece after BOS (run.c, PR #89).
        if (addDummyPrefix && previous == bos && bos >= 0 && bytes.length > 0 && bytes[0] == ' '
                && types[token] != TokenType.BYTE) {
            return Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return bytes.clone();
    }

    @Override
    public String decode(int previous, int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = previous;
        for (int t : tokens) {
            out.writeBytes(decodeBytes(prev, t));
            prev = t;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }

    /** The unknown-token id, or -1. */
    public int unk() {
        return unk;
    }

    @Override
    public boolean addsBos() {
        return addBos;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public String piece(int token) {
        checkToken(token);
        return pieces[token];
    }

    /** The token's {@link TokenType}. */
    public int tokenType(int token) {
        checkToken(token);
        return types[token];
    }

    private void checkToken(int token) {
        Vocabulary.checkToken(token, pieces.length);
    }

    private static float[] requireLength(float[] scores, String[] pieces) {
        if (scores == null || pieces == null || scores.length != pieces.length) {
            throw new IllegalArgumentException("need one score per piece: " + (pieces == null ? 0 : pieces.length)
                    + " pieces, " + (scores == null ? "no" : String.valueOf(scores.length)) + " scores");
        }
        return scores;
    }
}
