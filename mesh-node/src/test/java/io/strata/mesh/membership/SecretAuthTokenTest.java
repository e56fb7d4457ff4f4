package io.strata.mesh.membership;

import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.protocols.AUTH;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretAuthTokenTest {
    private static final ClusterSecret SECRET = ClusterSecret.derive("correct horse battery staple", "mesh");
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static SecretAuthToken token(ClusterSecret secret, Clock clock, Address self) {
        SecretAuthToken t = new SecretAuthToken(secret.authKey(), clock);
        AUTH auth = new AUTH();
        auth.setAddress(self);
        t.setAuth(auth);
        return t;
    }

    /** The proof as the coordinator reads it off the wire. */
    private static SecretAuthToken overTheWire(SecretAuthToken sent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sent.writeTo(new DataOutputStream(bytes));
        SecretAuthToken received = new SecretAuthToken();
        received.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        return received;
    }

    private static BytesMessage from(Address sender) {
        BytesMessage m = new BytesMessage();
        m.setSrc(sender);
        return m;
    }

    @Test
    void aProofMadeWithTheSameSecretIsAccepted() throws IOException {
        Address joiner = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, UUID.randomUUID());
        assertTrue(coordinator.authenticate(overTheWire(token(SECRET, NOW, joiner)), from(joiner)));
    }

    @Test
    void aProofMadeWithAnotherSecretIsRefused() throws IOException {
        Address joiner = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, UUID.randomUUID());
        ClusterSecret other = ClusterSecret.derive("correct horse battery stapler", "mesh");
        assertFalse(coordinator.authenticate(overTheWire(token(other, NOW, joiner)), from(joiner)));
    }

    @Test
    void theSameSecretForAnotherClusterNameGivesOtherKeys() throws IOException {
        Address joiner = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, UUID.randomUUID());
        ClusterSecret otherCluster = ClusterSecret.derive("correct horse battery staple", "other-mesh");
        assertFalse(coordinator.authenticate(overTheWire(token(otherCluster, NOW, joiner)), from(joiner)));
    }

    @Test
    void aReplayedProofIsRefused() throws IOException {
        Address joiner = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, UUID.randomUUID());
        SecretAuthToken proof = overTheWire(token(SECRET, NOW, joiner));
        assertTrue(coordinator.authenticate(proof, from(joiner)));
        assertFalse(coordinator.authenticate(proof, from(joiner)), "the same nonce twice");
    }

    @Test
    void aProofCapturedFromOneSenderIsRefusedFromAnother() throws IOException {
        Address joiner = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, UUID.randomUUID());
        SecretAuthToken proof = overTheWire(token(SECRET, NOW, joiner));
        assertFalse(coordinator.authenticate(proof, from(UUID.randomUUID())));
    }

    @Test
    void aProofFromTooFarInThePastIsRefused() throws IOException {
        Address joiner = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, UUID.randomUUID());
        Clock old = Clock.offset(NOW, SecretAuthToken.MAX_CLOCK_SKEW.plus(Duration.ofSeconds(1)).negated());
        assertFalse(coordinator.authenticate(overTheWire(token(SECRET, old, joiner)), from(joiner)));
    }

    @Test
    void aRequestLoopedBackInsideTheStackIsAcceptedThoughItsTimeWasNeverWritten() {
        Address self = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, self);
        // a merge leader's MERGE_REQ to itself carries the sending instance itself (never serialised)
        assertTrue(coordinator.authenticate(coordinator, from(self)));
    }

    @Test
    void aTokenThatWasNeverWrittenIsRefusedFromAnyOtherInstance() {
        Address self = UUID.randomUUID();
        SecretAuthToken coordinator = token(SECRET, NOW, self);
        assertFalse(coordinator.authenticate(new SecretAuthToken(), from(UUID.randomUUID())));
    }

    @Test
    void theSecretItselfNeverAppearsOnTheWire() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        token(SECRET, NOW, UUID.randomUUID()).writeTo(new DataOutputStream(bytes));
        assertFalse(bytes.toString(StandardCharsets.ISO_8859_1).contains("correct horse"));
    }
}
