package io.strata.mesh.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@code POST /v1/completions} or {@code POST /v1/chat/completions} body, checked field by
 * field; a bad field is an {@link ApiException} naming it.
 *
 * @param chat           true for chat completions
 * @param model          the model asked for, or null (then the only model served, if there is one)
 * @param prompt         the completion prompt, or null when {@code promptTokens} or {@code messages} is given
 * @param promptTokens   a prompt given as token ids, or null
 * @param messages       chat messages, or null
 * @param maxTokens      tokens to generate at most, or null for the endpoint's default
 * @param temperature    0..2
 * @param topP           (0, 1]
 * @param seed           the seed, or null for a random one
 * @param stop           stop strings (at most 4)
 * @param stream         answer with server-sent events
 * @param includeUsage   streaming: send a last chunk with the usage
 * @param returnDetails  Strata's extension: add a {@code "strata"} object (token ids, speed, failovers, path)
 * @param ignoreEos      Strata's extension (as vLLM's): do not stop at the end-of-sequence token (for benchmarks)
 */
public record CompletionRequest(boolean chat, String model, String prompt, int[] promptTokens,
                                List<ChatTemplate.Message> messages, Integer maxTokens, float temperature, float topP,
                                Long seed, List<String> stop, boolean stream, boolean includeUsage,
                                boolean returnDetails, boolean ignoreEos) {
    private static final Set<String> COMPLETION_FIELDS = Set.of("model", "prompt", "max_tokens", "temperature", "top_p",
            "seed", "stop", "stream", "stream_options", "n", "user", "return_details", "ignore_eos", "echo", "logprobs",
            "presence_penalty", "frequency_penalty", "best_of", "logit_bias", "suffix");
    private static final Set<String> CHAT_FIELDS = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "seed", "stop", "stream", "stream_options", "n", "user", "return_details", "ignore_eos",
            "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "response_format");

    public static CompletionRequest parse(JsonNode body, boolean chat) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("the request body must be a JSON object", null);
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!(chat ? CHAT_FIELDS : COMPLETION_FIELDS).contains(f)) {
                throw ApiException.invalid("unknown field '" + f + "'", f);
            }
        });
        String model = optionalString(body, "model");
        String prompt = null;
        int[] promptTokens = null;
        List<ChatTemplate.Message> messages = null;
        if (chat) {
            messages = messages(body.get("messages"));
        } else {
            JsonNode p = body.get("prompt");
            if (p == null || p.isNull()) {
                throw ApiException.invalid("'prompt' is required", "prompt");
            }
            if (p.isTextual()) {
                prompt = p.asText();
            } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
                prompt = p.get(0).asText();
            } else if (p.isArray() && !p.isEmpty() && allInts(p)) {
                promptTokens = new int[p.size()];
                for (int i = 0; i < p.size(); i++) {
                    promptTokens[i] = p.get(i).asInt();
                }
            } else {
                throw ApiException.invalid("'prompt' must be a string, an array of one string, or an array of token ids;"
                        + " Strata serves one prompt per request", "prompt");
            }
        }
        Integer maxTokens = optionalInt(body, chat && body.has("max_completion_tokens") ? "max_completion_tokens"
                : "max_tokens", 1, Integer.MAX_VALUE);
        float temperature = (float) number(body, "temperature", 1.0, 0, 2);
        float topP = (float) number(body, "top_p", 1.0, Double.MIN_VALUE, 1);
        Long seed = null;
        JsonNode s = body.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw ApiException.invalid("'seed' must be an integer", "seed");
            }
            seed = s.asLong();
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
            throw ApiException.invalid("'n' must be 1: Strata returns one choice per request", "n");
        }
        List<String> stop = stops(body.get("stop"));
        boolean stream = bool(body, "stream");
        JsonNode options = body.get("stream_options");
        boolean includeUsage = options != null && options.isObject() && options.path("include_usage").asBoolean(false);
        return new CompletionRequest(chat, model, prompt, promptTokens, messages, maxTokens, temperature, topP, seed,
                stop, stream, includeUsage, bool(body, "return_details"), bool(body, "ignore_eos"));
    }

    private static List<ChatTemplate.Message> messages(JsonNode m) {
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ApiException.invalid("'messages' must be a non-empty array of {role, content}", "messages");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode e = m.get(i);
            JsonNode role = e.get("role");
            JsonNode content = e.get("content");
            if (role == null || !role.isTextual() || role.asText().isBlank()) {
                throw ApiException.invalid("messages[" + i + "] needs a 'role' string", "messages");
            }
            String text;
            if (content != null && content.isTextual()) {
                text = content.asText();
            } else if (content != null && content.isArray()) {
                StringBuilder sb = new StringBuilder(); // content parts: only text parts are understood
                for (JsonNode part : content) {
                    if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw ApiException.invalid("messages[" + i + "]: only text content parts are supported",
                                "messages");
                    }
                    sb.append(part.get("text").asText());
                }
                text = sb.toString();
            } else {
                throw ApiException.invalid("messages[" + i + "] needs a 'content' string", "messages");
            }
            out.add(new ChatTemplate.Message(role.asText(), text));
        }
        return out;
    }

    private static List<String> stops(JsonNode s) {
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(s.asText());
        }
        if (s.isArray() && s.size() <= 4) {
            List<String> out = new ArrayList<>();
            for (JsonNode e : s) {
                if (!e.isTextual()) {
                    throw ApiException.invalid("'stop' must be a string or an array of up to 4 strings", "stop");
                }
                out.add(e.asText());
            }
            return out;
        }
        throw ApiException.invalid("'stop' must be a string or an array of up to 4 strings", "stop");
    }

    private static boolean allInts(JsonNode a) {
        for (JsonNode e : a) {
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                return false;
            }
        }
        return true;
    }

    private static String optionalString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid("'" + field + "' must be a string", field);
        }
        return v.asText();
    }

    private static Integer optionalInt(JsonNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw ApiException.invalid("'" + field + "' must be an integer ≥ " + min, field);
        }
        return v.asInt();
    }

    private static double number(JsonNode body, String field, double defaultValue, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw ApiException.invalid("'" + field + "' must be a number in " + (min == Double.MIN_VALUE ? "(0" : "[" + trim(min))
                    + ", " + trim(max) + "]", field);
        }
        return v.asDouble();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid("'" + field + "' must be true or false", field);
        }
        return v.asBoolean();
    }
}
