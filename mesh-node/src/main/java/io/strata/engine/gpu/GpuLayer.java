package io.strata.engine.gpu;

import io.strata.cuda.CudaContext;
import io.strata.cuda.DeviceBuffer;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One transformer block's weights on the device; biases are null when the model has none. */
record GpuLayer(DeviceBuffer attnNorm, DeviceMatrix wq, DeviceMatrix wk, DeviceMatrix wv,
                DeviceBuffer qBias, DeviceBuffer kBias, DeviceBuffer vBias, DeviceMatrix wo,
                DeviceBuffer ffnNorm, DeviceMatrix gate, DeviceMatrix up, DeviceMatrix down) implements AutoCloseable {

    /** Uploads layer {@code layer}; on failure whatever was uploaded is freed again. */
    static GpuLayer upload(CudaContext context, LoadedModel model, int layer) {
        ModelConfig c = model.config();
        int dim = c.dim();
        List<AutoCloseable> done = new ArrayList<>();
        try {
            return new GpuLayer(
                    track(done, vector(context, model, model.tensor(TensorNames.attnNorm(layer)), dim)),
                    track(done, matrix(context, model, TensorNames.attnQ(layer), c.qDim(), dim)),
                    track(done, matrix(context, model, TensorNames.attnK(layer), c.kvDim(), dim)),
                    track(done, matrix(context, model, TensorNames.attnV(layer), c.kvDim(), dim)),
                    track(done, optionalVector(context, model, TensorNames.attnQBias(layer), c.qDim())),
                    track(done, optionalVector(context, model, TensorNames.attnKBias(layer), c.kvDim())),
                    track(done, optionalVector(context, model, TensorNames.attnVBias(layer), c.kvDim())),
                    track(done, matrix(context, model, TensorNames.attnOutput(layer), dim, c.qDim())),
                    track(done, vector(context, model, model.tensor(TensorNames.ffnNorm(layer)), dim)),
                    track(done, matrix(context, model, TensorNames.ffnGate(layer), c.hiddenDim(), dim)),
                    track(done, matrix(context, model, TensorNames.ffnUp(layer), c.hiddenDim(), dim)),
                    track(done, matrix(context, model, TensorNames.ffnDown(layer), dim, c.hiddenDim())));
        } catch (RuntimeException e) {
            for (AutoCloseable a : done) {
                closeQuietly(a);
            }
            throw e;
        }
    }

    static DeviceMatrix matrix(CudaContext context, LoadedModel model, String name, int rows, int cols) {
        WeightTensor t = model.tensor(name);
        if (t.cols() != cols || t.rows() != rows) {
            throw new ModelFormatException(model.source(), "tensor " + t + " should be " + rows + " rows of "
                    + cols + " values for this model's configuration");
        }
        return DeviceMatrix.upload(context, t);
    }

    static DeviceBuffer vector(CudaContext context, LoadedModel model, WeightTensor t, int n) {
        if (t.elements() != n) {
            throw new ModelFormatException(model.source(), "tensor " + t + " should hold " + n + " values");
        }
        float[] values = HostVectors.read(t, n);
        DeviceBuffer buffer = context.allocate(4L * n);
        buffer.upload(values, 0, n, 0);
        return buffer;
    }

    private static DeviceBuffer optionalVector(CudaContext context, LoadedModel model, String name, int n) {
        Optional<WeightTensor> t = model.optionalTensor(name);
        return t.map(tensor -> vector(context, model, tensor, n)).orElse(null);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> done, T resource) {
        if (resource != null) {
            done.add(resource);
        }
        return resource;
    }

    static void closeQuietly(AutoCloseable a) {
        try {
            if (a != null) {
                a.close();
            }
        } catch (Exception ignored) {
            // freeing after a failure: the first error is the one worth reporting
        }
    }

    /** Bytes of weights this layer holds on the device. */
    long deviceBytes() {
        long total = 0;
        for (DeviceMatrix m : new DeviceMatrix[] {wq, wk, wv, wo, gate, up, down}) {
            total += m.bytes().bytes();
        }
        return total;
    }

    @Override
    public void close() {
        for (AutoCloseable a : new AutoCloseable[] {attnNorm, wq, wk, wv, qBias, kBias, vBias, wo, ffnNorm, gate, up, down}) {
            closeQuietly(a);
        }
    }
}
