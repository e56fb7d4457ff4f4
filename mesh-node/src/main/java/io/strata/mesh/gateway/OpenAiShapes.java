package io.strata.mesh.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/** The JSON objects of OpenAI's completions and chat completions APIs, as the gateway answers them. */
final class OpenAiShapes {
    static final ObjectMapper JSON = new ObjectMapper();

    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;

    OpenAiShapes(boolean chat, String id, long created, String model) {
        this.chat = chat;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    static String finishReason(GenerationOutcome.Finish f) {
        return f == GenerationOutcome.Finish.STOP ? "stop" : "length";
    }

    private ObjectNode head(String object) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    /** A streamed piece of text; {@code first} (chat) also carries the assistant role. */
    ObjectNode chunk(String text, boolean first) {
        ObjectNode o = head(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (first) {
                delta.put("role", "assistant");
            }
            delta.put("content", text);
            choice.putNull("logprobs");
        } else {
            choice.put("text", text);
            choice.putNull("logprobs");
        }
        choice.putNull("finish_reason");
        return o;
    }

    /** The last streamed choice: no more text, the finish reason. */
    ObjectNode finalChunk(String text, GenerationOutcome.Finish finish) {
        ObjectNode o = chunk(text, false);
        ObjectNode choice = (ObjectNode) o.get("choices").get(0);
        if (chat && text.isEmpty()) {
            choice.set("delta", JSON.createObjectNode());
        }
        choice.put("finish_reason", finishReason(finish));
        return o;
    }

    /** The usage chunk of a stream with {@code stream_options.include_usage}: no choices. */
    ObjectNode usageChunk(int promptTokens, int completionTokens) {
        ObjectNode o = head(chat ? "chat.completion.chunk" : "text_completion");
        o.putArray("choices");
        o.set("usage", usage(promptTokens, completionTokens));
        return o;
    }

    /** The whole answer of a non-streaming request. */
    ObjectNode response(String text, GenerationOutcome.Finish finish, int promptTokens, int completionTokens) {
        ObjectNode o = head(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(finish));
        o.set("usage", usage(promptTokens, completionTokens));
        return o;
    }

    static ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        return u;
    }

    /** Strata's extension ({@code "return_details": true}): ids, speed, path, failovers. */
    static ObjectNode details(int[] promptTokens, GenerationOutcome outcome) {
        ObjectNode d = JSON.createObjectNode();
        d.putPOJO("prompt_tokens", promptTokens);
        d.putPOJO("tokens", outcome.tokens());
        d.put("tokens_per_second", Math.round(outcome.decodeTokensPerSecond() * 100) / 100.0);
        d.put("time_to_first_token_ms", Math.round(outcome.firstTokenNanos() / 1e4) / 100.0);
        ArrayNode path = d.putArray("path");
        outcome.path().forEach(path::add);
        ArrayNode recoveries = d.putArray("recoveries");
        for (Recovery r : outcome.recoveries()) {
            ObjectNode e = recoveries.addObject();
            e.put("reason", r.reason());
            ArrayNode failed = e.putArray("failed_nodes");
            r.failedNodes().forEach(failed::add);
            e.put("replayed_tokens", r.replayedTokens());
            ArrayNode np = e.putArray("new_path");
            r.newPath().forEach(np::add);
            e.put("recovery_ms", Double.parseDouble(String.format(Locale.ROOT, "%.3f", r.recovery().toNanos() / 1e6)));
        }
        return d;
    }

    /** OpenAI's error body. */
    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", message);
        e.put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return o;
    }

    /** {@code chatTemplate} gives each model's {@code chat_template} kind ("model" or "plain"; null: not known yet). */
    static ObjectNode modelList(List<String> ids, java.util.function.Function<String, String> chatTemplate) {
        ObjectNode o = JSON.createObjectNode();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        for (String id : ids) {
            ObjectNode m = data.addObject();
            m.put("id", id);
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "strata");
            String kind = chatTemplate.apply(id);
            if (kind != null) {
                m.put("chat_template", kind);
            }
        }
        return o;
    }
}
