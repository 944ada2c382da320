package io.jflannel.backend.wireguard;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * WireGuard's key pairs (Curve25519) through the JDK's own {@code X25519} provider, so no crypto
 * library is added: a private key is 32 random bytes clamped as {@code wg genkey} clamps them, and
 * its public key is the X25519 function of it and the base point 9, the very value {@code wg
 * pubkey} prints.
 *
 * <p>Stateless and thread-safe.
 */
public final class X25519 {
  private static final BigInteger BASE_POINT = BigInteger.valueOf(9);

  private X25519() {}

  /** A new private key from the JDK's {@code X25519} key-pair generator, clamped. */
  public static WgKey generatePrivate() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("X25519");
      XECPrivateKey key = (XECPrivateKey) gen.generateKeyPair().getPrivate();
      byte[] scalar =
          key.getScalar().orElseThrow(() -> new IllegalStateException("X25519 key hides scalar"));
      return WgKey.of(clamp(scalar));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no X25519: " + e.getMessage(), e);
    }
  }

  /** Curve25519 clamping, as {@code wg genkey} does. */
  static byte[] clamp(byte[] k) {
    byte[] c = k.clone();
    c[0] &= (byte) 248;
    c[31] &= 127;
    c[31] |= 64;
    return c;
  }

  /** The public key of {@code privateKey}, as {@code wg pubkey} computes it. */
  public static WgKey publicOf(WgKey privateKey) {
    try {
      KeyFactory kf = KeyFactory.getInstance("X25519");
      PrivateKey priv =
          kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.bytes()));
      PublicKey base =
          kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BASE_POINT));
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(priv);
      ka.doPhase(base, true);
      return WgKey.of(ka.generateSecret());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no X25519: " + e.getMessage(), e);
    }
  }
}
