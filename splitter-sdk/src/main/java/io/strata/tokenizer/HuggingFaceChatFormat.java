package io.strata.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.ModelFormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face model's {@link ChatFormat}: {@code chat_template} of tokenizer_config.json (a
 * string, or a list of named templates of which "default" is the chat one, as transformers
 * picks), its {@code bos_token}/{@code eos_token}, and the stop ids: the tokenizer's EOS and
 * every {@code eos_token_id} of generation_config.json (an id or a list).
 */
final class HuggingFaceChatFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceChatFormat() {
    }

    /** {@code tokenizerConfig} and {@code generationConfig} are the files' texts, either may be null. */
    static ChatFormat read(Path source, String tokenizerConfig, String generationConfig, Tokenizer tokenizer) {
        JsonNode config = tokenizerConfig == null ? null : parse(source, tokenizerConfig, "tokenizer_config.json");
        JsonNode generation = generationConfig == null ? null : parse(source, generationConfig, "generation_config.json");
        String template = config == null ? null : template(source, config.get("chat_template"));
        String bos = config == null ? null : tokenText(config.get("bos_token"));
        String eos = config == null ? null : tokenText(config.get("eos_token"));
        List<Integer> stops = new ArrayList<>();
        stops.add(tokenizer.eos());
        if (generation != null) {
            JsonNode ids = generation.get("eos_token_id");
            if (ids != null && ids.isArray()) {
                ids.forEach(id -> stops.add(id.asInt(-1)));
            } else if (ids != null && ids.canConvertToInt()) {
                stops.add(ids.asInt());
            }
        }
        int[] stopIds = stops.stream().mapToInt(Integer::intValue)
                .filter(id -> id >= 0 && id < tokenizer.vocabSize()).toArray();
        return new ChatFormat(template, bos != null ? bos : ChatFormat.pieceOrEmpty(tokenizer, tokenizer.bos()),
                eos != null ? eos : ChatFormat.pieceOrEmpty(tokenizer, tokenizer.eos()), stopIds);
    }

    private static String template(Path source, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode named : node) {
                String name = named.path("name").asText("");
                if (name.equals("default") && named.path("template").isTextual()) {
                    return named.path("template").asText();
                }
                names.add(name);
            }
            throw new ModelFormatException(source, "tokenizer_config.json has chat templates " + names
                    + " but none named \"default\" — name the chat one \"default\"");
        }
        throw new ModelFormatException(source, "tokenizer_config.json chat_template is neither a string nor a list of"
                + " {\"name\", \"template\"}");
    }

    /** A special token as tokenizer_config.json writes it: a string, or an object with "content". */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isTextual() ? node.asText() : node.path("content").asText(null);
    }

    private static JsonNode parse(Path source, String text, String what) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(source, what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(source, what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
