package io.strata.mesh.gateway;

import io.strata.tokenizer.ChatFormat;
import io.strata.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the gateway needs of a model to serve it: its tokenizer, context length, chat template
 * and the ids that end a reply.
 */
public final class ServedModel {
    /** An assistant reply no template writes on its own, to find what the template puts after a reply. */
    private static final String REPLY_PROBE = "Strata end-of-turn probe";

    private final String modelId;
    private final Tokenizer tokenizer;
    private final int contextLength;
    private final JinjaChatTemplate template;
    private final int[] stopIds;

    /**
     * @param modelId       the id clients name it by
     * @param tokenizer     text to ids and back
     * @param contextLength positions a session may use at most
     * @param chat          the model's chat template (if any) and stop ids, from its files
     */
    public ServedModel(String modelId, Tokenizer tokenizer, int contextLength, ChatFormat chat) {
        this.modelId = modelId;
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.template = chat.templateText()
                .map(t -> new JinjaChatTemplate(t, chat.bosToken(), chat.eosToken())).orElse(null);
        int endOfTurn = template == null ? -1 : endOfTurn(template, tokenizer);
        this.stopIds = IntStream.concat(Arrays.stream(chat.stopIds()), IntStream.of(endOfTurn))
                .filter(id -> id >= 0).distinct().toArray();
    }

    /** A model whose files carry no chat template: the plain one, and the tokenizer's EOS. */
    public ServedModel(String modelId, Tokenizer tokenizer, int contextLength) {
        this(modelId, tokenizer, contextLength, ChatFormat.plain(tokenizer));
    }

    public String modelId() {
        return modelId;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int contextLength() {
        return contextLength;
    }

    /** The model's own template, or null when it carries none (then the plain {@link ChatTemplate} applies). */
    JinjaChatTemplate template() {
        return template;
    }

    /** "model" when the model's own template makes chat prompts, "plain" for {@link ChatTemplate}'s. */
    public String chatTemplateKind() {
        return template != null ? "model" : "plain";
    }

    /** Ids that end generation: EOS ids from the model's files and the template's end-of-turn token. */
    public int[] stopIds() {
        return stopIds.clone();
    }

    /**
     * The special token the template writes right after an assistant reply (Llama 3's
     * {@code <|eot_id|>}, ChatML's {@code <|im_end|>}, Gemma's {@code <end_of_turn>}): the model
     * ends its turn by sampling it. -1 when the template cannot render the probe or writes no
     * special token there.
     */
    private static int endOfTurn(JinjaChatTemplate template, Tokenizer tokenizer) {
        String rendered;
        try {
            rendered = template.render(List.of(new ChatTemplate.Message("user", "Hello"),
                    new ChatTemplate.Message("assistant", REPLY_PROBE)), false);
        } catch (RuntimeException e) {
            return -1;
        }
        int at = rendered.lastIndexOf(REPLY_PROBE);
        if (at < 0) {
            return -1;
        }
        String after = rendered.substring(at + REPLY_PROBE.length()).stripLeading();
        if (after.isEmpty()) {
            return -1;
        }
        int[] ids = tokenizer.encode(after, false);
        // a control token has no text: that is what tells it from ordinary words after the reply
        return ids.length > 0 && tokenizer.decodeBytes(-1, ids[0]).length == 0 ? ids[0] : -1;
    }
}
