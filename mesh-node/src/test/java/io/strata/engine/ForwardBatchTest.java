package io.strata.engine;

import io.strata.model.TensorEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A stage that serves several sessions in one forward gives each row exactly the bits its
 * session gets running alone: the batch only shares the weight reads.
 */
class ForwardBatchTest {
    private static final int[][] PROMPTS = {{1, 17, 42}, {1, 5, 88, 3, 64, 12, 7}, {1}, {1, 9, 30, 71, 2}};

    @ParameterizedTest
    // the test model is 64 wide: no room for the 256-value super-blocks (their whole models run in ../shared/fidelity)
    @EnumSource(value = TensorEncoding.class, mode = EnumSource.Mode.EXCLUDE, names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void sessionsAtDifferentPositionsGetTheBitsTheyGetAlone(TensorEncoding encoding) {
        assertBatchMatchesAlone(StageEngines.whole(RandomModel.llama(encoding)));
    }

    @Test
    void oddSizesBiasesAndRotateHalfRopeBatchBitIdenticallyToo() {
        assertBatchMatchesAlone(StageEngines.whole(RandomModel.qwenLikeOddSizes()));
    }

    private static void assertBatchMatchesAlone(StageEngine stage) {
        int n = PROMPTS.length;
        int dim = stage.config().dim();
        int vocab = stage.config().vocabSize();
        EngineSession[] alone = new EngineSession[n];
        EngineSession[] batched = new EngineSession[n];
        int[] last = new int[n];
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            alone[i] = stage.newSession(32);
            batched[i] = stage.newSession(32);
            stage.forwardTokens(alone[i], PROMPTS[i], 0);
            stage.forwardTokens(batched[i], PROMPTS[i], 0);
            last[i] = PROMPTS[i][PROMPTS[i].length - 1];
            positions[i] = PROMPTS[i].length;
        }
        for (int step = 0; step < 5; step++) {
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = (last[i] * 31 + step * 7 + i) % vocab;
            }
            float[] hidden = stage.forward(batched, tokens, positions.clone());
            int[] rows = {0, 1, 2, 3};
            float[][] logits = stage.logits(hidden, rows);
            for (int i = 0; i < n; i++) {
                float[] one = stage.forwardTokens(alone[i], new int[]{tokens[i]}, positions[i]);
                assertArrayEquals(one, Arrays.copyOfRange(hidden, i * dim, (i + 1) * dim),
                        "hidden state of session " + i + " at step " + step);
                assertArrayEquals(stage.logits(one, 0), logits[i], "logits of session " + i + " at step " + step);
                assertEquals(positions[i] + 1, batched[i].filled());
                positions[i]++;
                last[i] = tokens[i];
            }
        }
    }

    @Test
    void aMiddleStageBatchesHiddenStatesBitIdentically() {
        RandomModel model = RandomModel.llama(TensorEncoding.Q8_0);
        StageEngine middle = StageEngines.open(model, 1, 3);
        int dim = model.config().dim();
        Random random = new Random(7);
        EngineSession[] alone = {middle.newSession(16), middle.newSession(16), middle.newSession(16)};
        EngineSession[] batched = {middle.newSession(16), middle.newSession(16), middle.newSession(16)};
        int[] lengths = {4, 1, 6};
        for (int i = 0; i < 3; i++) {
            float[] prefix = randomRows(random, lengths[i], dim);
            middle.forwardHidden(alone[i], prefix, lengths[i], 0);
            middle.forwardHidden(batched[i], prefix, lengths[i], 0);
        }
        float[] input = randomRows(random, 3, dim);
        float[] copy = input.clone();
        float[] out = middle.forward(batched, input, new int[]{4, 1, 6});
        assertArrayEquals(copy, input, "the input is not modified");
        for (int i = 0; i < 3; i++) {
            float[] one = middle.forwardHidden(alone[i], Arrays.copyOfRange(input, i * dim, (i + 1) * dim), 1, lengths[i]);
            assertArrayEquals(one, Arrays.copyOfRange(out, i * dim, (i + 1) * dim), "session " + i);
        }
    }

    @Test
    void aPromptRidesInTheSameBatchAsOtherSessionsDecodeSteps() {
        StageEngine stage = StageEngines.whole(RandomModel.llama(TensorEncoding.F32));
        int dim = stage.config().dim();
        EngineSession decodingAlone = stage.newSession(16);
        EngineSession decoding = stage.newSession(16);
        stage.forwardTokens(decodingAlone, PROMPTS[0], 0);
        stage.forwardTokens(decoding, PROMPTS[0], 0);
        EngineSession promptAlone = stage.newSession(16);
        EngineSession prompt = stage.newSession(16);

        int[] promptTokens = PROMPTS[1];
        EngineSession[] rows = new EngineSession[1 + promptTokens.length];
        int[] tokens = new int[rows.length];
        int[] positions = new int[rows.length];
        rows[0] = decoding;
        tokens[0] = 50;
        positions[0] = PROMPTS[0].length;
        for (int t = 0; t < promptTokens.length; t++) {
            rows[1 + t] = prompt;
            tokens[1 + t] = promptTokens[t];
            positions[1 + t] = t;
        }
        float[] hidden = stage.forward(rows, tokens, positions);

        float[] one = stage.forwardTokens(decodingAlone, new int[]{50}, PROMPTS[0].length);
        assertArrayEquals(one, Arrays.copyOf(hidden, dim));
        float[] whole = stage.forwardTokens(promptAlone, promptTokens, 0);
        assertArrayEquals(whole, Arrays.copyOfRange(hidden, dim, hidden.length));
        assertEquals(promptTokens.length, prompt.filled());
    }

    @Test
    void rowsOfOneSessionOutOfOrderAreRefused() {
        StageEngine stage = StageEngines.whole(RandomModel.llama(TensorEncoding.F32));
        EngineSession s = stage.newSession(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stage.forward(new EngineSession[]{s, s}, new int[]{1, 2}, new int[]{0, 2}));
        assertEquals("row 1: position 2 does not follow its session (its previous row was at 0)", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> stage.forward(new EngineSession[]{s}, new int[]{1}, new int[]{3}), "a gap before the first row");
        assertThrows(IllegalArgumentException.class,
                () -> stage.forward(new EngineSession[]{s}, new int[]{1}, new int[]{8}), "beyond the capacity");
        EngineSession other = StageEngines.open(RandomModel.llama(TensorEncoding.F32), 0, 4).newSession(8);
        assertThrows(IllegalArgumentException.class,
                () -> stage.forward(new EngineSession[]{other}, new int[]{1}, new int[]{0}), "another stage's session");
    }

    private static float[] randomRows(Random random, int rows, int dim) {
        float[] x = new float[rows * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
