package io.strata.engine;

import io.strata.engine.cpu.TestTensors;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;

/**
 * The Llama forward pass written as plainly as possible, in double precision, from the weights'
 * bytes: the independent reference the engine's logits are checked against. Recomputes
 * everything for every position; slow and obvious on purpose.
 */
final class PlainTransformer {
    private final LoadedModel model;
    private final ModelConfig c;

    PlainTransformer(LoadedModel model) {
        this.model = model;
        this.c = model.config();
    }

    /** Logits after each of {@code tokens}: {@code [tokens.length][vocab]}. */
    double[][] logits(int[] tokens) {
        int n = tokens.length;
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row(TensorNames.TOKEN_EMBEDDING, tokens[t]);
        }
        for (int l = 0; l < c.layers(); l++) {
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsnorm(x[t], TensorNames.attnNorm(l));
                q[t] = rope(plus(matvec(TensorNames.attnQ(l), h), TensorNames.attnQBias(l)), t);
                k[t] = rope(plus(matvec(TensorNames.attnK(l), h), TensorNames.attnKBias(l)), t);
                v[t] = plus(matvec(TensorNames.attnV(l), h), TensorNames.attnVBias(l));
            }
            for (int t = 0; t < n; t++) {
                double[] att = new double[c.qDim()];
                for (int head = 0; head < c.heads(); head++) {
                    int kvHead = head / (c.heads() / c.kvHeads());
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p <= t; p++) {
                        double s = 0;
                        for (int i = 0; i < c.headSize(); i++) {
                            s += q[t][head * c.headSize() + i] * k[p][kvHead * c.headSize() + i];
                        }
                        scores[p] = s / Math.sqrt(c.headSize());
                        max = Math.max(max, scores[p]);
                    }
                    double sum = 0;
                    for (int p = 0; p <= t; p++) {
                        scores[p] = Math.exp(scores[p] - max);
                        sum += scores[p];
                    }
                    for (int p = 0; p <= t; p++) {
                        for (int i = 0; i < c.headSize(); i++) {
                            att[head * c.headSize() + i] += scores[p] / sum * v[p][kvHead * c.headSize() + i];
                        }
                    }
                }
                double[] o = matvec(TensorNames.attnOutput(l), att);
                for (int i = 0; i < c.dim(); i++) {
                    x[t][i] += o[i];
                }
            }
            for (int t = 0; t < n; t++) {
                double[] h = rmsnorm(x[t], TensorNames.ffnNorm(l));
                double[] gate = matvec(TensorNames.ffnGate(l), h);
                double[] up = matvec(TensorNames.ffnUp(l), h);
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                double[] down = matvec(TensorNames.ffnDown(l), gate);
                for (int i = 0; i < c.dim(); i++) {
                    x[t][i] += down[i];
                }
            }
        }
        String classifier = model.tensors().containsKey(TensorNames.OUTPUT) ? TensorNames.OUTPUT : TensorNames.TOKEN_EMBEDDING;
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = matvec(classifier, rmsnorm(x[t], TensorNames.OUTPUT_NORM));
        }
        return logits;
    }

    /** Rotates each head's pairs by pos × θ^(−2i/headSize), pairing dimensions as the layout says. */
    private double[] rope(double[] v, int pos) {
        int hs = c.headSize();
        for (int head = 0; head < v.length / hs; head++) {
            for (int i = 0; i < hs / 2; i++) {
                double angle = pos * Math.pow(c.ropeTheta(), -2.0 * i / hs);
                int a = head * hs + (c.ropeLayout() == RopeLayout.ADJACENT_PAIRS ? 2 * i : i);
                int b = c.ropeLayout() == RopeLayout.ADJACENT_PAIRS ? a + 1 : a + hs / 2;
                double v0 = v[a];
                double v1 = v[b];
                v[a] = v0 * Math.cos(angle) - v1 * Math.sin(angle);
                v[b] = v0 * Math.sin(angle) + v1 * Math.cos(angle);
            }
        }
        return v;
    }

    private double[] rmsnorm(double[] x, String weight) {
        double ss = 0;
        for (double e : x) {
            ss += e * e;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] w = row(weight, 0);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = w[i] * x[i] * inv;
        }
        return out;
    }

    private double[] plus(double[] v, String bias) {
        WeightTensor b = model.tensors().get(bias);
        if (b != null) {
            for (int i = 0; i < v.length; i++) {
                v[i] += TestTensors.element(b, i);
            }
        }
        return v;
    }

    private double[] matvec(String name, double[] x) {
        WeightTensor w = model.tensor(name);
        double[] out = new double[w.rows()];
        for (int r = 0; r < w.rows(); r++) {
            double s = 0;
            for (int col = 0; col < w.cols(); col++) {
                s += TestTensors.element(w, (long) r * w.cols() + col) * x[col];
            }
            out[r] = s;
        }
        return out;
    }

    private double[] row(String name, int r) {
        WeightTensor w = model.tensor(name);
        double[] out = new double[w.cols()];
        for (int col = 0; col < w.cols(); col++) {
            out[col] = TestTensors.element(w, (long) r * w.cols() + col);
        }
        return out;
    }
}
