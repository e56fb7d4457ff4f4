package io.strata.functions.launch;

import io.fabric8.kubernetes.api.model.Quantity;
import io.strata.functions.api.ApiException;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/** The seed's storage_size: a positive Kubernetes quantity of bytes ("1Gi", "500M", "2e9"). */
final class StorageSize {

    static final String DEFAULT = "1Gi";
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|[eE][0-9]+)?");

    private StorageSize() {
    }

    static String check(String size) {
        if (!QUANTITY.matcher(size).matches()) {
            throw ApiException.badRequest("field storage_size must be a Kubernetes quantity such as \"1Gi\" or \"500Mi\", got \""
                    + (size.length() > 40 ? size.substring(0, 40) + "…" : size) + "\"");
        }
        BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(size));
        if (bytes.signum() <= 0) {
            throw ApiException.badRequest("field storage_size must be more than zero, got \"" + size + "\"");
        }
        return size;
    }
}
