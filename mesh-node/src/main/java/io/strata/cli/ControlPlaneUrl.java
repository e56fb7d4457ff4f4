package io.strata.cli;

import java.net.URI;
import java.net.URISyntaxException;

/** {@code --control-plane URL}: an http(s) URL with a host, or one clear error. */
final class ControlPlaneUrl {

    private ControlPlaneUrl() {
    }

    static URI parse(String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // refused below with the same message
        }
        throw new CliException("--control-plane must be an http(s) URL such as http://127.0.0.1:8001, got '" + text + "'");
    }
}
