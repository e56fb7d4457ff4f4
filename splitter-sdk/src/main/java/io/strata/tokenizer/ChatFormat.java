package io.strata.tokenizer;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a model's own files say about chatting with it: its Jinja chat template (GGUF
 * {@code tokenizer.chat_template}, Hugging Face {@code chat_template}), the text of its BOS and
 * EOS tokens the template refers to, and the ids that end a reply (EOS, end-of-turn and every id
 * of {@code generation_config.json}'s {@code eos_token_id}). Reading them belongs here; rendering
 * the template is the gateway's.
 *
 * @param template the Jinja source, or null when the model carries none
 * @param bosToken the BOS token's text ("" when the model has none)
 * @param eosToken the EOS token's text ("" when none)
 * @param stopIds  ids that end generation, without repeats
 */
public record ChatFormat(String template, String bosToken, String eosToken, int[] stopIds) {
    public ChatFormat {
        bosToken = bosToken == null ? "" : bosToken;
        eosToken = eosToken == null ? "" : eosToken;
        stopIds = Arrays.stream(stopIds).filter(id -> id >= 0).distinct().toArray();
    }

    /** No template; the tokenizer's own EOS (when it has one) is the only stop id. */
    public static ChatFormat plain(Tokenizer tokenizer) {
        int eos = tokenizer.eos();
        return new ChatFormat(null, pieceOrEmpty(tokenizer, tokenizer.bos()), pieceOrEmpty(tokenizer, eos),
                eos >= 0 ? new int[] {eos} : new int[0]);
    }

    public Optional<String> templateText() {
        return Optional.ofNullable(template);
    }

    static String pieceOrEmpty(Tokenizer tokenizer, int id) {
        return id >= 0 && id < tokenizer.vocabSize() ? tokenizer.piece(id) : "";
    }
}
