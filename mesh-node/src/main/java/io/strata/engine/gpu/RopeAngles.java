package io.strata.engine.gpu;

import io.strata.model.ModelConfig;

/**
 * The cosine and sine of each rotary pair's angle at each row's position, computed on the host with the
 * CPU engine's formula (angle = pos × 1/θ^(2i/headSize) in float, cos and sin in double), so both
 * backends turn by the same angles and differ only in the float arithmetic of the kernels.
 */
final class RopeAngles {
    private final float[] frequencies;

    RopeAngles(ModelConfig config) {
        int headSize = config.headSize();
        frequencies = new float[headSize / 2];
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = 1.0f / (float) Math.pow(config.ropeTheta(), (2 * i) / (float) headSize);
        }
    }

    int pairs() {
        return frequencies.length;
    }

    /** Fills {@code cos} and {@code sin} ([rows × pairs]) for each row's position. */
    void fill(int[] positions, float[] cos, float[] sin) {
        int pairs = frequencies.length;
        for (int t = 0; t < positions.length; t++) {
            for (int i = 0; i < pairs; i++) {
                float angle = positions[t] * frequencies[i];
                cos[t * pairs + i] = (float) Math.cos(angle);
                sin[t * pairs + i] = (float) Math.sin(angle);
            }
        }
    }
}
