package io.strata.model;

/**
 * Where a split artifact sits in the model it was cut from: layers [firstLayer, endLayer) of
 * {@code modelId}, stage {@code index} of {@code worldSize}.
 */
public record SplitPlace(String modelId, int index, int worldSize, int firstLayer, int endLayer) {
    public SplitPlace {
        if (worldSize < 1 || index < 0 || index >= worldSize || firstLayer < 0 || endLayer <= firstLayer) {
            throw new IllegalArgumentException("invalid split place: stage " + index + " of " + worldSize
                    + ", layers [" + firstLayer + ", " + endLayer + ")");
        }
    }

    public boolean first() {
        return index == 0;
    }

    public boolean last() {
        return index == worldSize - 1;
    }
}
