package io.strata.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a Hugging Face {@code tokenizer.json} (with {@code tokenizer_config.json} when given) of
 * model type BPE, in its two Llama-family forms: byte-level (GPT-2, Llama 3, Qwen2: a ByteLevel
 * pre-tokenizer or decoder) and SentencePiece-converted (Llama 2, Mistral, TinyLlama:
 * {@code byte_fallback}, {@code ▁} for spaces via a Prepend/Replace normalizer or a Metaspace
 * pre-tokenizer). Anything else is refused with the part that is not understood.
 */
final class HuggingFaceTokenizerFile {
    /** Llama 3's tokenizer.json is 9 MB and Gemma's 33 MB; a file far beyond that is not a tokenizer. */
    private static final long MAX_JSON_BYTES = 128L << 20;
    private static final long MAX_CONFIG_BYTES = 16L << 20;
    private static final String METASPACE = "\u2581";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;
    private final JsonNode config;

    private HuggingFaceTokenizerFile(Path file, JsonNode root, JsonNode config) {
        this.file = file;
        this.root = root;
        this.config = config;
    }

    static Tokenizer read(Path tokenizerJson, Path tokenizerConfig) {
        if (tokenizerJson == null) {
            throw new IllegalArgumentException("tokenizer.json path is null");
        }
        JsonNode root = readJson(tokenizerJson, MAX_JSON_BYTES);
        JsonNode config = tokenizerConfig == null ? null : readJson(tokenizerConfig, MAX_CONFIG_BYTES);
        HuggingFaceTokenizerFile reader = new HuggingFaceTokenizerFile(tokenizerJson, root, config);
        try {
            return reader.build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(tokenizerJson, e.getMessage(), e);
        }
    }

    /**
     * From the texts of a tokenizer.json and (optionally) a tokenizer_config.json that a split
     * artifact carries in its metadata; {@code source} names the artifact in errors.
     */
    static Tokenizer parse(Path source, String tokenizerJson, String tokenizerConfigOrNull) {
        JsonNode root = parseJson(source, tokenizerJson);
        JsonNode config = tokenizerConfigOrNull == null ? null : parseJson(source, tokenizerConfigOrNull);
        try {
            return new HuggingFaceTokenizerFile(source, root, config).build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, e.getMessage(), e);
        }
    }

    private static JsonNode parseJson(Path source, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(source, "embedded tokenizer is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(source, "embedded tokenizer is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private Tokenizer build() {
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw fail("has no \"model\" object — is it a Hugging Face tokenizer.json?");
        }
        String type = model.path("type").asText("");
        if (!type.equals("BPE")) {
            throw fail("model type is \"" + type + "\" — Strata reads BPE tokenizers (Llama 2/3, Mistral, Qwen2,"
                    + " GPT-2), not WordPiece, Unigram or WordLevel");
        }
        Vocabulary vocab = vocabulary(model);
        List<String[]> merges = merges(model);
        JsonNode pre = root.get("pre_tokenizer");
        JsonNode normalizer = root.get("normalizer");
        JsonNode decoder = root.get("decoder");
        if (!findAll(pre, "ByteLevel").isEmpty() || !findAll(decoder, "ByteLevel").isEmpty()) {
            return byteLevel(model, vocab, merges, pre, normalizer);
        }
        if (model.path("byte_fallback").asBoolean(false) || !findAll(pre, "Metaspace").isEmpty()
                || !findAll(normalizer, "Prepend").isEmpty() || !findAll(normalizer, "Replace").isEmpty()) {
            return sentencePiece(model, vocab, merges, pre, normalizer);
        }
        throw fail("BPE tokenizer has neither a ByteLevel pre-tokenizer nor SentencePiece-style spaces"
                + " (byte_fallback, Metaspace, Prepend/Replace of \"▁\") — Strata reads only those two forms");
    }

    private Tokenizer byteLevel(JsonNode model, Vocabulary vocab, List<String[]> merges, JsonNode pre,
                                JsonNode normalizer) {
        List<String> regexes = new ArrayList<>();
        boolean addPrefixSpace = false;
        for (JsonNode step : steps(pre, "pretokenizers")) {
            switch (step.path("type").asText("")) {
                case "Split" -> regexes.add(splitRegex(step));
                case "ByteLevel" -> {
                    addPrefixSpace = step.path("add_prefix_space").asBoolean(false);
                    if (step.path("use_regex").asBoolean(true)) {
                        regexes.add(ByteLevelBpeTokenizer.GPT2_PATTERN);
                    }
                }
                default -> throw fail("pre_tokenizer " + step.path("type").asText("(no type)")
                        + " is not supported with byte-level BPE — Strata reads Split (Isolated) and ByteLevel");
            }
        }
        Normalizer.Form form = null;
        for (JsonNode step : steps(normalizer, "normalizers")) {
            String t = step.path("type").asText("");
            switch (t) {
                case "NFC", "NFD", "NFKC", "NFKD" -> {
                    if (form != null) {
                        throw fail("normalizer has two Unicode normalizations; Strata applies one");
                    }
                    form = Normalizer.Form.valueOf(t);
                }
                default -> throw fail("normalizer " + (t.isEmpty() ? "(no type)" : t)
                        + " is not supported with byte-level BPE — Strata applies NFC, NFD, NFKC or NFKD");
            }
        }
        int[] types = vocab.types(false, -1);
        int unk = vocab.idOf(model.path("unk_token").asText(null));
        int bos = specialFromConfig("bos_token", vocab);
        int templateBos = templateFirstSpecial(vocab);
        if (bos < 0 && !configHas("bos_token")) {
            bos = templateBos;
        }
        int eos = specialFromConfig("eos_token", vocab);
        if (eos < 0 && !configHas("eos_token")) {
            eos = firstPresent(vocab, "<|end_of_text|>", "<|endoftext|>", "</s>");
        }
        boolean addBos = config != null && config.has("add_bos_token")
                ? config.path("add_bos_token").asBoolean(false)
                : templateBos >= 0 && templateBos == bos;
        return new ByteLevelBpeTokenizer(vocab.pieces, types, merges, regexes, bos, eos, unk, addBos,
                model.path("ignore_merges").asBoolean(false), addPrefixSpace, form);
    }

    private Tokenizer sentencePiece(JsonNode model, Vocabulary vocab, List<String[]> merges, JsonNode pre,
                                    JsonNode normalizer) {
        boolean dummyPrefix = false;
        boolean everySegment = true;
        boolean onlyWithoutSpace = false;
        boolean spacesReplaced = false;
        List<WordSplit> splits = new ArrayList<>();
        Normalizer.Form form = null;
        for (JsonNode step : steps(normalizer, "normalizers")) {
            String t = step.path("type").asText("");
            switch (t) {
                case "NFC", "NFD", "NFKC", "NFKD" -> {
                    // applied first: a Unicode form never touches spaces or ▁, so it commutes with the rest
                    if (form != null) {
                        throw fail("normalizer has two Unicode normalizations; Strata applies one");
                    }
                    form = Normalizer.Form.valueOf(t);
                }
                case "Prepend" -> {
                    if (!step.path("prepend").asText("").equals(METASPACE)) {
                        throw fail("normalizer Prepend adds \"" + step.path("prepend").asText("")
                                + "\"; Strata understands only Prepend(\"▁\")");
                    }
                    dummyPrefix = true;
                }
                case "Replace" -> {
                    if (!step.path("pattern").path("String").asText("").equals(" ")
                            || !step.path("content").asText("").equals(METASPACE)) {
                        throw fail("normalizer Replace is not \" \" → \"▁\"; Strata understands only that one");
                    }
                    spacesReplaced = true;
                }
                default -> throw fail("normalizer " + step.path("type").asText("(no type)")
                        + " is not supported with SentencePiece-style BPE — Strata reads Prepend(\"▁\"),"
                        + " Replace(\" \", \"▁\") and NFC/NFD/NFKC/NFKD");
            }
        }
        for (JsonNode step : steps(pre, "pretokenizers")) {
            String t = step.path("type").asText("");
            if (t.equals("Split")) {
                // Gemma's Split(" ") runs after spaces became ▁, so it finds nothing: kept for exactness all the same
                splits.add(wordSplit(step));
                continue;
            }
            if (!t.equals("Metaspace")) {
                throw fail("pre_tokenizer " + (t.isEmpty() ? "(no type)" : t)
                        + " is not supported with SentencePiece-style BPE — Strata reads Metaspace and Split");
            }
            if (!step.path("replacement").asText(METASPACE).equals(METASPACE)) {
                throw fail("Metaspace replacement is \"" + step.path("replacement").asText() + "\", not \"▁\"");
            }
            spacesReplaced = true;
            String scheme = step.has("prepend_scheme") ? step.path("prepend_scheme").asText("always")
                    : step.path("add_prefix_space").asBoolean(true) ? "always" : "never";
            switch (scheme) {
                case "always" -> dummyPrefix = true;
                case "first" -> {
                    dummyPrefix = true;
                    everySegment = false;
                }
                case "never" -> dummyPrefix = false;
                default -> throw fail("Metaspace prepend_scheme \"" + scheme + "\" is unknown (always, first, never)");
            }
            onlyWithoutSpace = true;
            if (step.path("split").asBoolean(true)) {
                splits.add(new WordSplit(Pattern.compile(METASPACE), WordSplit.Behavior.MERGED_WITH_NEXT));
            }
        }
        if (!spacesReplaced) {
            throw fail("SentencePiece-style BPE without Replace(\" \", \"▁\") or Metaspace — spaces would not match"
                    + " the ▁ pieces");
        }
        boolean byteFallback = model.path("byte_fallback").asBoolean(false);
        int unk = vocab.idOf(model.path("unk_token").asText(null));
        int[] types = vocab.types(byteFallback, unk);
        int bos = specialFromConfig("bos_token", vocab);
        int templateBos = templateFirstSpecial(vocab);
        if (bos < 0 && !configHas("bos_token")) {
            bos = templateBos >= 0 ? templateBos : vocab.idOf("<s>");
        }
        int eos = specialFromConfig("eos_token", vocab);
        if (eos < 0 && !configHas("eos_token")) {
            eos = vocab.idOf("</s>");
        }
        boolean addBos = config != null && config.has("add_bos_token")
                ? config.path("add_bos_token").asBoolean(true)
                : true;
        return SentencePieceBpeTokenizer.withMerges(vocab.pieces, types, merges, bos, eos, unk, addBos, dummyPrefix,
                everySegment, onlyWithoutSpace, splits, form);
    }

    /** The pieces by id from model.vocab and added_tokens; ids no entry names are unused gaps. */
    private record Vocabulary(String[] pieces, Map<String, Integer> ids, boolean[] special, boolean[] added) {
        int idOf(String piece) {
            if (piece == null) {
                return -1;
            }
            Integer id = ids.get(piece);
            return id == null ? -1 : id;
        }

        int[] types(boolean byteFallback, int unk) {
            int[] t = new int[pieces.length];
            for (int i = 0; i < pieces.length; i++) {
                if (special[i]) {
                    t[i] = TokenType.CONTROL;
                } else if (added[i]) {
                    t[i] = TokenType.USER_DEFINED;
                } else if (pieces[i].isEmpty()) {
                    t[i] = TokenType.UNUSED;
                } else if (i == unk) {
                    t[i] = TokenType.UNKNOWN;
                } else if (byteFallback && TokenType.byteOfPiece(pieces[i]) >= 0) {
                    t[i] = TokenType.BYTE;
                } else {
                    t[i] = TokenType.NORMAL;
                }
            }
            return t;
        }
    }

    private Vocabulary vocabulary(JsonNode model) {
        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isObject()) {
            throw fail("model has no \"vocab\" object of piece → id");
        }
        Map<String, Integer> ids = new HashMap<>(vocab.size() * 2);
        int max = -1;
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            int id = tokenId(e.getValue(), "model.vocab[\"" + e.getKey() + "\"]");
            ids.putIfAbsent(e.getKey(), id);
            max = Math.max(max, id);
        }
        JsonNode addedTokens = root.path("added_tokens");
        List<JsonNode> added = new ArrayList<>();
        if (addedTokens.isArray()) {
            for (JsonNode a : addedTokens) {
                if (!a.path("content").isTextual()) {
                    throw fail("added_tokens entry " + a + " has no \"content\" string");
                }
                max = Math.max(max, tokenId(a.get("id"), "added_tokens \"" + a.path("content").asText() + "\""));
                added.add(a);
            }
        }
        if (max < 0) {
            throw fail("vocabulary is empty");
        }
        String[] pieces = new String[max + 1];
        Arrays.fill(pieces, "");
        ids.forEach((piece, id) -> {
            if (!pieces[id].isEmpty() && !pieces[id].equals(piece)) {
                throw fail("id " + id + " is given to both \"" + pieces[id] + "\" and \"" + piece + "\"");
            }
            pieces[id] = piece;
        });
        boolean[] special = new boolean[pieces.length];
        boolean[] isAdded = new boolean[pieces.length];
        for (JsonNode a : added) {
            int id = a.get("id").asInt();
            String content = a.get("content").asText();
            if (!pieces[id].isEmpty() && !pieces[id].equals(content)) {
                throw fail("added token \"" + content + "\" has id " + id + " which model.vocab gives to \""
                        + pieces[id] + "\"");
            }
            pieces[id] = content;
            ids.putIfAbsent(content, id);
            special[id] = a.path("special").asBoolean(false);
            isAdded[id] = true;
        }
        return new Vocabulary(pieces, ids, special, isAdded);
    }

    private int tokenId(JsonNode node, String what) {
        // Ids index arrays sized by the largest; a stray huge id would allocate gigabytes.
        if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()
                || node.asInt() < 0 || node.asInt() >= 1 << 24) {
            throw fail(what + " has id " + node + ", not a token id between 0 and 16,777,215");
        }
        return node.asInt();
    }

    private List<String[]> merges(JsonNode model) {
        JsonNode list = model.get("merges");
        if (list == null || !list.isArray()) {
            throw fail("BPE model has no \"merges\" list");
        }
        List<String[]> merges = new ArrayList<>(list.size());
        int i = 0;
        for (JsonNode m : list) {
            if (m.isTextual()) {
                String[] parts = m.asText().split(" ", -1);
                if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                    throw fail("merges[" + i + "] = \"" + m.asText() + "\" is not two pieces separated by one space");
                }
                merges.add(parts);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else {
                throw fail("merges[" + i + "] = " + m + " is neither \"a b\" nor [\"a\", \"b\"]");
            }
            i++;
        }
        return merges;
    }

    /** The regex of a Split pre-tokenizer, which must isolate its matches. */
    private String splitRegex(JsonNode split) {
        String behavior = split.path("behavior").asText("");
        if (!behavior.equals("Isolated") || split.path("invert").asBoolean(false)) {
            throw fail("Split pre-tokenizer with behavior " + behavior + (split.path("invert").asBoolean(false)
                    ? " (inverted)" : "") + " is not supported — Strata reads Isolated splits");
        }
        JsonNode pattern = split.path("pattern");
        if (pattern.has("Regex")) {
            return pattern.get("Regex").asText();
        }
        if (pattern.has("String")) {
            return Pattern.quote(pattern.get("String").asText());
        }
        throw fail("Split pre-tokenizer has no Regex or String pattern");
    }

    /** A Split pre-tokenizer of SentencePiece-style BPE, by its String or Regex pattern and behaviour. */
    private WordSplit wordSplit(JsonNode split) {
        String behavior = split.path("behavior").asText("");
        WordSplit.Behavior b = WordSplit.Behavior.of(behavior);
        if (b == null || split.path("invert").asBoolean(false)) {
            throw fail("Split pre-tokenizer with behavior " + behavior + (split.path("invert").asBoolean(false)
                    ? " (inverted)" : "") + " is not supported — Strata reads Removed, Isolated, MergedWithPrevious"
                    + " and MergedWithNext");
        }
        JsonNode pattern = split.path("pattern");
        if (pattern.has("String")) {
            return new WordSplit(Pattern.compile(Pattern.quote(pattern.get("String").asText())), b);
        }
        if (pattern.has("Regex")) {
            return new WordSplit(new PreTokenizer(pattern.get("Regex").asText()).pattern(), b);
        }
        throw fail("Split pre-tokenizer has no Regex or String pattern");
    }

    /** The steps of an optional component that may be a Sequence of several. */
    private List<JsonNode> steps(JsonNode component, String listField) {
        List<JsonNode> out = new ArrayList<>();
        if (component == null || component.isNull()) {
            return out;
        }
        if (component.path("type").asText("").equals("Sequence")) {
            for (JsonNode s : component.path(listField)) {
                out.addAll(steps(s, listField));
            }
        } else {
            out.add(component);
        }
        return out;
    }

    /** Every step of type {@code type} inside a component, looking into Sequences whatever their list is called. */
    private static List<JsonNode> findAll(JsonNode component, String type) {
        List<JsonNode> out = new ArrayList<>();
        if (component == null || component.isNull()) {
            return out;
        }
        if (component.path("type").asText("").equals(type)) {
            out.add(component);
        }
        for (String field : List.of("pretokenizers", "normalizers", "decoders", "processors")) {
            for (JsonNode s : component.path(field)) {
                out.addAll(findAll(s, type));
            }
        }
        return out;
    }

    /** The id of the special token the post-processor's template puts before a single sequence, or -1. */
    private int templateFirstSpecial(Vocabulary vocab) {
        for (JsonNode template : findAll(root.get("post_processor"), "TemplateProcessing")) {
            JsonNode first = template.path("single").path(0);
            if (first.has("SpecialToken")) {
                String name = first.path("SpecialToken").path("id").asText(null);
                JsonNode special = template.path("special_tokens").path(name);
                JsonNode ids = special.path("ids");
                if (ids.isArray() && ids.size() == 1 && ids.get(0).canConvertToInt()) {
                    int id = ids.get(0).asInt();
                    return id >= 0 && id < vocab.pieces().length ? id : -1;
                }
                return vocab.idOf(name);
            }
        }
        return -1;
    }

    private boolean configHas(String key) {
        return config != null && config.has(key);
    }

    /** A special token named in tokenizer_config.json (a string or an object with "content"); -1 if absent or null. */
    private int specialFromConfig(String key, Vocabulary vocab) {
        if (config == null) {
            return -1;
        }
        JsonNode v = config.get(key);
        if (v == null || v.isNull()) {
            return -1;
        }
        String content = v.isTextual() ? v.asText() : v.path("content").asText(null);
        int id = vocab.idOf(content);
        if (id < 0) {
            throw fail("tokenizer_config.json names " + key + " \"" + content + "\" which is not in the vocabulary");
        }
        return id;
    }

    private static int firstPresent(Vocabulary vocab, String... pieces) {
        for (String p : pieces) {
            int id = vocab.idOf(p);
            if (id >= 0) {
                return id;
            }
        }
        return -1;
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(file, problem);
    }

    private static JsonNode readJson(Path file, long maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new ModelFormatException(file, "is " + size + " bytes; a tokenizer file is at most "
                        + (maxBytes >> 20) + " MiB");
            }
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(file, "is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() : ""), e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e, e);
        }
    }
}
