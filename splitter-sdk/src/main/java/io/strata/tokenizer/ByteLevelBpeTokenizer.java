package io.strata.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-level BPE (GPT-2, Llama 3, Qwen2): special and added tokens are matched in the text
 * first; the rest is cut into words by the pre-tokenizer regex, each word's UTF-8 bytes are
 * written through GPT-2's byte-to-character map, and merges join adjacent pairs by rank (lowest
 * first, leftmost among equals). Decoding maps the pieces' characters back to bytes.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    /** GPT-2's pre-tokenizer (also the default of GGUF "gpt2" vocabularies). */
    public static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's pre-tokenizer (GGUF pre "llama-bpe"): numbers in groups of up to three digits. */
    public static final String LLAMA3_PATTERN =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's pre-tokenizer (GGUF pre "qwen2"): every digit on its own. */
    public static final String QWEN2_PATTERN =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private final String[] pieces;
    private final byte[] types;
    private final Map<String, Integer> index;
    private final MergeTable merges;
    private final List<PreTokenizer> preTokenizers;
    private final byte[][] output;
    private final SpecialTokenMatcher specials;
    private final int bos;
    private final int eos;
    private final int unk;
    private final boolean addBos;
    private final boolean ignoreMerges;
    private final boolean addPrefixSpace;
    private final Normalizer.Form normalization;

    /**
     * @param pieces          the vocabulary by id, written through GPT-2's byte map (added tokens as plain text)
     * @param tokenTypes      one {@link TokenType} per piece: CONTROL tokens are special (matched in the
     *                        text, decoded as nothing), USER_DEFINED are added tokens (matched, decoded as
     *                        written); null makes every piece NORMAL
     * @param merges          pairs {left, right} in rank order
     * @param preTokenizerRegexes the word-splitting regexes, applied in turn to each word the one before
     *                        made, e.g. {@code List.of(LLAMA3_PATTERN)}; empty keeps each text run whole
     * @param bos             beginning-of-sequence id or -1; {@code eos}, {@code unk} likewise
     * @param addBos          whether the model expects BOS before a prompt
     * @param ignoreMerges    a word that is a whole piece is taken as it is (Llama 3's {@code ignore_merges})
     * @param addPrefixSpace  a space goes before text that does not start with one (ByteLevel add_prefix_space)
     * @param normalization   Unicode normalization applied to text before encoding (Qwen2: NFC), or null
     */
    public ByteLevelBpeTokenizer(String[] pieces, int[] tokenTypes, List<String[]> merges, List<String> preTokenizerRegexes,
                                 int bos, int eos, int unk, boolean addBos, boolean ignoreMerges,
                                 boolean addPrefixSpace, Normalizer.Form normalization) {
        Vocabulary vocabulary = Vocabulary.of(pieces, tokenTypes, bos, eos, unk);
        this.pieces = vocabulary.pieces();
        this.types = vocabulary.types();
        this.bos = vocabulary.bos();
        this.eos = vocabulary.eos();
        this.unk = vocabulary.unk();
        int n = pieces.length;
        index = new HashMap<>(n * 2);
        Map<String, Integer> special = new LinkedHashMap<>();
        output = new byte[n][];
        for (int i = 0; i < n; i++) {
            int type = types[i];
            index.putIfAbsent(pieces[i], i);
            if (type == TokenType.CONTROL || type == TokenType.USER_DEFINED) {
                special.putIfAbsent(pieces[i], i);
            }
            output[i] = switch (type) {
                case TokenType.CONTROL, TokenType.UNUSED -> new byte[0];
                case TokenType.USER_DEFINED -> pieces[i].getBytes(StandardCharsets.UTF_8);
                default -> ByteUnicodeMap.decode(pieces[i]);
            };
        }
        this.merges = MergeTable.of(index, merges);
        this.preTokenizers = preTokenizerRegexes.stream().map(PreTokenizer::new).toList();
        this.specials = new SpecialTokenMatcher(special);
        this.addBos = addBos && bos >= 0;
        this.ignoreMerges = ignoreMerges;
        this.addPrefixSpace = addPrefixSpace;
        this.normalization = normalization;
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        if (text == null) {
            throw new IllegalArgumentException("text to encode is null");
        }
        IntList out = new IntList(text.length() / 3 + 2);
        if (addBos && bos >= 0) {
            out.add(bos);
        }
        for (SpecialTokenMatcher.Segment segment : specials.split(text)) {
            if (segment.isToken()) {
                out.add(segment.token());
                continue;
            }
            String s = normalization == null ? segment.text() : Normalizer.normalize(segment.text(), normalization);
            if (addPrefixSpace && segment.offset() == 0 && s.charAt(0) != ' ') {
                s = " " + s;
            }
            List<String> words = List.of(s);
            for (PreTokenizer p : preTokenizers) {
                words = words.stream().flatMap(w -> p.split(w).stream()).toList();
            }
            for (String word : words) {
                encodeWord(ByteUnicodeMap.encode(word), out);
            }
        }
        return out.toArray();
    }

    private void encodeWord(String word, IntList out) {
        if (ignoreMerges) {
            Integer whole = index.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        // Every character of a mapped word is one byte, and one UTF-16 unit (the map stays below U+0144).
        int n = word.length();
        int[] starts = new int[n];
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = i;
            ids[i] = index.getOrDefault(String.valueOf(word.charAt(i)), -1);
        }
        PairMerger merger = new PairMerger(starts, n, n, ids);
        merger.run((left, right, from, to) -> {
            long r = merges.find(left, right);
            return r < 0 ? PairMerger.NO_MERGE : r;
        });
        for (int sym = merger.first(); sym >= 0; sym = merger.next(sym)) {
            int id = merger.id(sym);
            if (id >= 0) {
                out.add(id);
            } else if (unk >= 0) {
                out.add(unk);
            } else {
                throw new IllegalArgumentException("text has byte 0x"
                        + Integer.toHexString(ByteUnicodeMap.decode(word.substring(merger.start(sym), merger.end(sym)))[0] & 0xff)
                        + " which this byte-level vocabulary has no piece for, and no unknown token");
            }
        }
    }

    @Override
    public byte[] decodeBytes(int previous, int token) {
        if (Vocabulary.beyondPieces(token, pieces.length)) {
            return new byte[0];
        }
        checkToken(token);
        return output[token].clone();
    }

    @Override
    public String decode(int previous, int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int t : tokens) {
            out.writeBytes(decodeBytes(-1, t));
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

    /** The pre-tokenizer regexes in use, in order. */
    public List<String> preTokenizerRegexes() {
        return preTokenizers.stream().map(PreTokenizer::regex).toList();
    }

    private void checkToken(int token) {
        Vocabulary.checkToken(token, pieces.length);
    }

}
