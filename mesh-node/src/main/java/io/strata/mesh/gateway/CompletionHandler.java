package io.strata.mesh.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.strata.tokenizer.Tokenizer;
import io.strata.tokenizer.Utf8Stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}: tokenizes, runs the
 * generation through the {@link PipelineClient} and answers as OpenAI does, streamed (server-
 * sent events, one chunk per piece of text as tokens arrive) or whole.
 */
final class CompletionHandler {
    /** OpenAI's default for /v1/completions; chat completions default to the rest of the context. */
    static final int DEFAULT_COMPLETION_TOKENS = 16;

    private final PipelineClient client;
    private final ModelCatalog catalog;
    private final Supplier<List<String>> servedModels;

    CompletionHandler(PipelineClient client, ModelCatalog catalog, Supplier<List<String>> servedModels) {
        this.client = client;
        this.catalog = catalog;
        this.servedModels = servedModels;
    }

    /** Answers one request; returns the HTTP status sent. */
    int handle(HttpExchange exchange, JsonNode body, boolean chat) throws IOException {
        CompletionRequest req = CompletionRequest.parse(body, chat);
        String modelId = resolveModel(req.model());
        ServedModel model = catalog.find(modelId).orElseThrow(() -> ApiException.unavailable("model " + modelId
                + " is routed but this node cannot load its tokenizer yet; try again shortly"));
        Tokenizer tokenizer = model.tokenizer();
        int[] prompt = promptTokens(req, model);
        int context = model.contextLength();
        if (prompt.length >= context) {
            throw ApiException.invalid("the prompt has " + prompt.length + " tokens; " + modelId + "'s context holds "
                    + context + ", leaving no room to generate", chat ? "messages" : "prompt");
        }
        int maxTokens = req.maxTokens() != null ? req.maxTokens()
                : chat ? context - prompt.length : DEFAULT_COMPLETION_TOKENS;
        long seed = req.seed() != null ? req.seed() : ThreadLocalRandom.current().nextLong();
        List<String> stops = new ArrayList<>(req.stop());
        if (chat && model.template() == null) {
            stops.add(ChatTemplate.USER_TURN);
        }
        GenerationSpec spec = new GenerationSpec(modelId, prompt, maxTokens, req.temperature(), req.topP(), seed,
                req.ignoreEos() ? new int[0] : model.stopIds(), GenerationSpec.capacityFor(prompt.length, maxTokens, context));

        OpenAiShapes shapes = new OpenAiShapes(chat, (chat ? "chatcmpl-" : "cmpl-")
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()), System.currentTimeMillis() / 1000,
                modelId);
        Utf8Stream utf8 = new Utf8Stream();
        StopMatcher stop = new StopMatcher(stops);
        StringBuilder text = new StringBuilder();
        ServerSentEvents events = req.stream() ? new ServerSentEvents(exchange) : null;
        int[] previous = {prompt[prompt.length - 1]};
        boolean[] first = {true};

        GenerationOutcome outcome;
        try {
            outcome = client.generate(spec, token -> {
                String piece = stop.push(utf8.push(tokenizer.decodeBytes(previous[0], token)));
                previous[0] = token;
                if (events != null && !piece.isEmpty()) {
                    events.send(shapes.chunk(piece, first[0]).toString());
                    first[0] = false;
                } else {
                    text.append(piece);
                }
                return !stop.stopped();
            });
        } catch (GenerationException e) {
            if (events != null && events.started()) {
                events.send(OpenAiShapes.error(e.getMessage(), e.status() == 400 ? "invalid_request_error"
                        : "service_unavailable", null, null).toString());
                events.done();
                return 200;
            }
            throw new ApiException(e.status(), e.status() == 400 ? "invalid_request_error" : "service_unavailable",
                    e.getMessage(), null, e.status() == 503 ? "service_unavailable" : null);
        }
        String rest = stop.push(utf8.flush()) + stop.flush();
        int completionTokens = outcome.tokens().length;
        if (events != null) {
            if (!rest.isEmpty() && first[0]) {
                events.send(shapes.chunk(rest, true).toString());
                rest = "";
                first[0] = false;
            } else if (first[0] && chat) {
                events.send(shapes.chunk("", true).toString());
            }
            ObjectNode last = shapes.finalChunk(rest, outcome.finish());
            if (req.returnDetails()) {
                last.set("strata", OpenAiShapes.details(prompt, outcome));
            }
            events.send(last.toString());
            if (req.includeUsage()) {
                events.send(shapes.usageChunk(prompt.length, completionTokens).toString());
            }
            events.done();
            return 200;
        }
        text.append(rest);
        ObjectNode response = shapes.response(text.toString(), outcome.finish(), prompt.length, completionTokens);
        if (req.returnDetails()) {
            response.set("strata", OpenAiShapes.details(prompt, outcome));
        }
        GatewayServer.sendJson(exchange, 200, response);
        return 200;
    }

    private static String render(ServedModel model, List<ChatTemplate.Message> messages) {
        try {
            return model.template().render(messages, true);
        } catch (JinjaChatTemplate.TemplateFailure e) {
            throw ApiException.invalid("the chat template of " + model.modelId() + " cannot make a prompt of these"
                    + " messages: " + e.getMessage(), "messages");
        }
    }

    private String resolveModel(String asked) {
        List<String> served = servedModels.get();
        if (asked == null || asked.isEmpty()) {
            if (served.size() == 1) {
                return served.getFirst();
            }
            throw ApiException.invalid("'model' is required: this mesh serves " + served, "model");
        }
        if (!served.contains(asked)) {
            throw ApiException.notFound("the model '" + asked + "' does not exist on this mesh; it serves " + served
                    + " (GET /v1/models)", "model", "model_not_found");
        }
        return asked;
    }

    private static int[] promptTokens(CompletionRequest req, ServedModel model) {
        Tokenizer tokenizer = model.tokenizer();
        if (req.promptTokens() != null) {
            for (int t : req.promptTokens()) {
                if (t < 0 || t >= tokenizer.vocabSize()) {
                    throw ApiException.invalid("token id " + t + " is outside the vocabulary [0, " + tokenizer.vocabSize()
                            + ")", "prompt");
                }
            }
            return req.promptTokens();
        }
        int[] tokens;
        if (req.chat() && model.template() != null) {
            // as transformers' apply_chat_template: the template writes BOS itself where the model wants it
            tokens = tokenizer.encode(render(model, req.messages()), false);
        } else {
            String text = req.chat() ? ChatTemplate.render(req.messages()) : req.prompt();
            tokens = tokenizer.encode(text, tokenizer.addsBos());
        }
        if (tokens.length == 0) {
            throw ApiException.invalid("the prompt is empty and this model adds no BOS token; give some text",
                    req.chat() ? "messages" : "prompt");
        }
        return tokens;
    }
}
