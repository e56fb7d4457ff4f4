package io.strata.engine;

import io.strata.model.ModelFormatException;
import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuStageEngineTest {
    private static final int[] PROMPT = {1, 17, 42, 5, 88, 3, 64};
    private static final int[] CONTINUATION = {9, 30, 71, 2};

    @Test
    void theFactoryRunsARangeOnTheCpuBehindTheInterface() {
        var model = RandomModel.llama(TensorEncoding.F32);
        try (StageEngine head = StageEngines.open(model, 0, 2); StageEngine tail = StageEngines.open(model, 2, 4)) {
            assertEquals("cpu", head.device());
            assertEquals(0, head.first());
            assertEquals(2, head.last());
            assertTrue(head.takesTokens());
            assertFalse(head.producesLogits());
            assertFalse(tail.takesTokens());
            assertTrue(tail.producesLogits());
            EngineSession s = head.newSession(8);
            head.forwardTokens(s, new int[]{1, 2, 3}, 0);
            assertEquals(3, s.filled());
            assertEquals(8, s.capacity());
        }
    }

    @ParameterizedTest
    // the test model is 64 wide: no room for the 256-value super-blocks (their whole models run in ../shared/fidelity)
    @EnumSource(value = TensorEncoding.class, mode = EnumSource.Mode.EXCLUDE, names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void wholeModelMatchesAPlainDoublePrecisionTransformer(TensorEncoding encoding) {
        assertMatchesPlainTransformer(RandomModel.llama(encoding));
    }

    @Test
    void rotateHalfRopeBiasesUntiedClassifierAndOddSizesMatchThePlainTransformer() {
        assertMatchesPlainTransformer(RandomModel.qwenLikeOddSizes());
    }

    @ParameterizedTest
    // the test model is 64 wide: no room for the 256-value super-blocks (their whole models run in ../shared/fidelity)
    @EnumSource(value = TensorEncoding.class, mode = EnumSource.Mode.EXCLUDE, names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void chainedStagesGiveBitIdenticalLogitsToTheWholeModel(TensorEncoding encoding) {
        RandomModel model = RandomModel.llama(encoding);
        List<float[]> whole = run(List.of(StageEngines.whole(model)));
        List<float[]> chained = run(List.of(StageEngines.open(model, 0, 1), StageEngines.open(model, 1, 3),
                StageEngines.open(model, 3, 4)));
        assertEquals(whole.size(), chained.size());
        for (int i = 0; i < whole.size(); i++) {
            assertArrayEquals(whole.get(i), chained.get(i), "logits after input " + i);
        }
    }

    @Test
    void chainedStagesOfTheOddModelAreBitIdenticalToo() {
        RandomModel model = RandomModel.qwenLikeOddSizes();
        List<float[]> whole = run(List.of(StageEngines.whole(model)));
        List<float[]> chained = run(List.of(StageEngines.open(model, 0, 2), StageEngines.open(model, 2, 3)));
        for (int i = 0; i < whole.size(); i++) {
            assertArrayEquals(whole.get(i), chained.get(i), "logits after input " + i);
        }
    }

    @ParameterizedTest
    // the test model is 64 wide: no room for the 256-value super-blocks (their whole models run in ../shared/fidelity)
    @EnumSource(value = TensorEncoding.class, mode = EnumSource.Mode.EXCLUDE, names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void prefillGivesTheSameBitsAsFeedingOneTokenAtATime(TensorEncoding encoding) {
        StageEngine stage = StageEngines.whole(RandomModel.llama(encoding));
        EngineSession batched = stage.newSession(16);
        float[] hidden = stage.forwardTokens(batched, PROMPT, 0);
        EngineSession single = stage.newSession(16);
        for (int t = 0; t < PROMPT.length; t++) {
            float[] one = stage.forwardTokens(single, new int[]{PROMPT[t]}, t);
            assertArrayEquals(one, Arrays.copyOfRange(hidden, t * 64, (t + 1) * 64), "token " + t);
            assertArrayEquals(stage.logits(one, 0), stage.logits(hidden, t), "logits of token " + t);
        }
    }

    @Test
    void replayingFromAnEarlierPositionRecomputesTheSameBits() {
        StageEngine stage = StageEngines.whole(RandomModel.llama(TensorEncoding.F32));
        EngineSession s = stage.newSession(16);
        stage.forwardTokens(s, PROMPT, 0);
        float[] first = stage.logits(stage.forwardTokens(s, new int[]{9, 30}, PROMPT.length), 1);
        stage.forwardTokens(s, new int[]{50, 51, 52}, 3); // a different branch overwrites positions 3..5
        assertEquals(6, s.filled());
        stage.forwardTokens(s, Arrays.copyOfRange(PROMPT, 3, PROMPT.length), 3);
        float[] again = stage.logits(stage.forwardTokens(s, new int[]{9, 30}, PROMPT.length), 1);
        assertArrayEquals(first, again);
    }

    @Test
    void theKvCacheHoldsOnlyThePositionsAskedFor() {
        RandomModel model = RandomModel.llama(TensorEncoding.Q8_0);
        EngineSession s = StageEngines.open(model, 1, 3).newSession(10);
        assertEquals(10, s.capacity());
        assertEquals(2L * 2 * 10 * model.config().kvDim() * Float.BYTES, s.cacheBytes());
    }

    @Test
    void stagesSayWhatTheyTakeAndProduce() {
        RandomModel model = RandomModel.llama(TensorEncoding.F32);
        StageEngine head = StageEngines.open(model, 0, 2);
        StageEngine tail = StageEngines.open(model, 2, 4);
        assertTrue(head.takesTokens());
        assertFalse(head.producesLogits());
        assertFalse(tail.takesTokens());
        assertTrue(tail.producesLogits());
        IllegalStateException noTokens = assertThrows(IllegalStateException.class,
                () -> tail.forwardTokens(tail.newSession(4), new int[]{1}, 0));
        assertTrue(noTokens.getMessage().contains("forwardHidden"), noTokens.getMessage());
        assertThrows(IllegalStateException.class, () -> head.logits(new float[64], 0));
    }

    @Test
    void misuseIsRefusedWithAClearMessage() {
        RandomModel model = RandomModel.llama(TensorEncoding.F32);
        StageEngine stage = StageEngines.whole(model);
        EngineSession s = stage.newSession(8);
        assertThrows(IllegalArgumentException.class, () -> stage.forwardTokens(s, new int[]{96}, 0));
        assertThrows(IllegalArgumentException.class, () -> stage.forwardTokens(s, new int[]{-1}, 0));
        assertThrows(IllegalArgumentException.class, () -> stage.forwardTokens(s, new int[0], 0));
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
                () -> stage.forwardTokens(s, new int[]{1}, 1));
        assertTrue(gap.getMessage().contains("0..0"), gap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> stage.forwardTokens(s, new int[9], 0));
        assertThrows(IllegalArgumentException.class, () -> stage.forwardHidden(s, new float[63], 1, 0));
        assertThrows(IllegalArgumentException.class, () -> stage.newSession(0));
        assertThrows(IllegalArgumentException.class, () -> stage.newSession(65));
        StageEngine other = StageEngines.whole(model);
        assertThrows(IllegalArgumentException.class, () -> other.forwardTokens(s, new int[]{1}, 0));
        assertThrows(IllegalArgumentException.class, () -> StageEngines.open(model, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> StageEngines.open(model, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> stage.logits(new float[64], 1));
    }

    @Test
    void aMissingTensorIsReportedByNameWithTheFile() {
        RandomModel model = RandomModel.llama(TensorEncoding.F32).without(TensorNames.ffnUp(2));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> StageEngines.whole(model));
        assertTrue(e.getMessage().contains("blk.2.ffn_up.weight") && e.getMessage().contains("random-model.gguf"),
                e.getMessage());
        StageEngines.open(model, 0, 2); // the layers it does not hold are no concern of stage [0, 2)
    }

    /** Prefill PROMPT, then feed CONTINUATION one by one; logits of every input position. */
    private static List<float[]> run(List<StageEngine> stages) {
        List<EngineSession> sessions = new ArrayList<>();
        for (StageEngine s : stages) {
            sessions.add(s.newSession(PROMPT.length + CONTINUATION.length));
        }
        List<float[]> logits = new ArrayList<>();
        float[] hidden = forward(stages, sessions, PROMPT, 0);
        for (int t = 0; t < PROMPT.length; t++) {
            logits.add(stages.getLast().logits(hidden, t));
        }
        for (int i = 0; i < CONTINUATION.length; i++) {
            hidden = forward(stages, sessions, new int[]{CONTINUATION[i]}, PROMPT.length + i);
            logits.add(stages.getLast().logits(hidden, 0));
        }
        return logits;
    }

    private static float[] forward(List<StageEngine> stages, List<EngineSession> sessions, int[] tokens, int pos) {
        float[] hidden = stages.getFirst().forwardTokens(sessions.getFirst(), tokens, pos);
        for (int i = 1; i < stages.size(); i++) {
            hidden = stages.get(i).forwardHidden(sessions.get(i), hidden, tokens.length, pos);
        }
        return hidden;
    }

    private static void assertMatchesPlainTransformer(RandomModel model) {
        int vocab = model.config().vocabSize();
        int[] tokens = new int[PROMPT.length + CONTINUATION.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i < PROMPT.length ? PROMPT[i] : CONTINUATION[i - PROMPT.length]) % vocab;
        }
        double[][] expected = new PlainTransformer(model).logits(tokens);
        StageEngine stage = StageEngines.whole(model);
        EngineSession s = stage.newSession(tokens.length);
        float[] hidden = stage.forwardTokens(s, Arrays.copyOf(tokens, 5), 0);
        for (int t = 0; t < tokens.length; t++) {
            float[] got = t < 5 ? stage.logits(hidden, t)
                    : stage.logits(stage.forwardTokens(s, new int[]{tokens[t]}, t), 0);
            double scale = 0;
            for (double e : expected[t]) {
                scale = Math.max(scale, Math.abs(e));
            }
            for (int i = 0; i < vocab; i++) {
                assertEquals(expected[t][i], got[i], 1e-4 * scale + 1e-5, "position " + t + " logit " + i);
            }
        }
    }
}
