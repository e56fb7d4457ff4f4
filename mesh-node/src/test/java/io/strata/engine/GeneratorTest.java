package io.strata.engine;

import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    private static final int[] PROMPT = {1, 17, 42, 5};

    @Test
    void generationStopsAtAStopTokenWithoutReportingIt() {
        RandomModel model = RandomModel.llama(TensorEncoding.F32);
        int[] free = new Generator(List.of(StageEngines.whole(model))).generate(PROMPT, 12, SamplingParams.greedy(), null)
                .tokens();
        assertEquals(12, free.length);
        int k = firstIndexOfANewToken(free);
        GenerationResult stopped = new Generator(List.of(StageEngines.whole(model)), free[k])
                .generate(PROMPT, 12, SamplingParams.greedy(), null);
        assertArrayEquals(Arrays.copyOf(free, k), stopped.tokens());
        assertEquals(GenerationResult.StopReason.STOP_TOKEN, stopped.stopReason());
    }

    @Test
    void generationStopsWhenTheContextIsFull() {
        ModelConfig c = new ModelConfig("llama", 32, 64, 2, 2, 2, 16, 50, 10, 1e-5f, 10000f,
                RopeLayout.ADJACENT_PAIRS, true);
        RandomModel model = RandomModel.create(c, TensorEncoding.F32, false, 3);
        GenerationResult r = new Generator(List.of(StageEngines.whole(model)))
                .generate(PROMPT, 100, SamplingParams.greedy(), null);
        // Positions 0..9: the prompt fills 4, each generated token but the last takes one more.
        assertEquals(7, r.tokens().length);
        assertEquals(GenerationResult.StopReason.CONTEXT_FULL, r.stopReason());
    }

    @Test
    void theListenerHearsEveryTokenAsItIsChosenAndTimingsAreReported() {
        RandomModel model = RandomModel.llama(TensorEncoding.Q4_0);
        List<Integer> heard = new ArrayList<>();
        GenerationResult r = new Generator(List.of(StageEngines.whole(model)))
                .generate(PROMPT, 9, new SamplingParams(0.8f, 0.9f, 7), heard::add);
        assertEquals(9, r.tokens().length);
        assertEquals(Arrays.toString(r.tokens()), heard.toString());
        assertEquals(GenerationResult.StopReason.MAX_TOKENS, r.stopReason());
        assertTrue(r.prefillTokensPerSecond() > 0 && r.decodeTokensPerSecond() > 0);
        assertArrayEquals(PROMPT, r.promptTokens());
    }

    @Test
    void sampledGenerationIsTheSameWholeOrSplitAndRunAfterRun() {
        RandomModel model = RandomModel.llama(TensorEncoding.Q8_0);
        SamplingParams p = new SamplingParams(1.0f, 0.95f, 2024);
        int[] whole = new Generator(List.of(StageEngines.whole(model))).generate(PROMPT, 20, p, null).tokens();
        int[] again = new Generator(List.of(StageEngines.whole(model))).generate(PROMPT, 20, p, null).tokens();
        int[] split = new Generator(List.of(StageEngines.open(model, 0, 3), StageEngines.open(model, 3, 4)))
                .generate(PROMPT, 20, p, null).tokens();
        assertArrayEquals(whole, again);
        assertArrayEquals(whole, split);
    }

    @Test
    void aPromptLongerThanOneBatchGivesTheSameTokensAsAShortOne() {
        ModelConfig c = new ModelConfig("llama", 32, 64, 2, 2, 2, 16, 40, 600, 1e-5f, 10000f,
                RopeLayout.ADJACENT_PAIRS, true);
        RandomModel model = RandomModel.create(c, TensorEncoding.F32, false, 4);
        int[] prompt = new int[300];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 7) % 40;
        }
        StageEngine stage = StageEngines.whole(model);
        int[] viaGenerator = new Generator(List.of(stage)).generate(prompt, 3, SamplingParams.greedy(), null).tokens();
        EngineSession s = stage.newSession(303);
        float[] hidden = stage.forwardTokens(s, prompt, 0); // one batch of 300 where the generator used 256 + 44
        assertEquals(viaGenerator[0], Sampler.argmax(stage.logits(hidden, prompt.length - 1)));
    }

    @Test
    void stagesThatDoNotCoverTheModelAreRefused() {
        RandomModel model = RandomModel.llama(TensorEncoding.F32);
        assertThrows(IllegalArgumentException.class, () -> new Generator(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Generator(List.of(StageEngines.open(model, 0, 2))));
        assertThrows(IllegalArgumentException.class, () -> new Generator(
                List.of(StageEngines.open(model, 0, 1), StageEngines.open(model, 2, 4))));
        Generator g = new Generator(List.of(StageEngines.whole(model)));
        assertThrows(IllegalArgumentException.class, () -> g.generate(new int[0], 5, SamplingParams.greedy(), null));
        assertThrows(IllegalArgumentException.class, () -> g.generate(PROMPT, -1, SamplingParams.greedy(), null));
        assertEquals(0, g.generate(PROMPT, 0, SamplingParams.greedy(), null).tokens().length);
    }

    private static int firstIndexOfANewToken(int[] tokens) {
        for (int k = 1; k < tokens.length; k++) {
            boolean seen = false;
            for (int j = 0; j < k; j++) {
                seen |= tokens[j] == tokens[k];
            }
            if (!seen) {
                return k;
            }
        }
        throw new AssertionError("greedy output repeats one token: " + Arrays.toString(tokens));
    }
}
