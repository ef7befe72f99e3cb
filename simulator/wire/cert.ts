import { Curve, proto } from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';

/** Baileys checks the intermediate's issuerSerial against WA_CERT_DETAILS.SERIAL, which is 0. */
const ROOT_SERIAL = 0;

/**
 * A WhatsApp-shaped Noise certificate chain of our own: root (whose public key the client must trust) signs an
 * intermediate, which signs the leaf carrying the server's static Noise key.
 */
export const makeCertChain = (root: KeyPair, serverStatic: KeyPair): Buffer => {
  const Details = proto.CertChain.NoiseCertificate.Details;
  const now = Math.floor(Date.now() / 1000);
  const intermediateKey = Curve.generateKeyPair();
  const intermediateDetails = Buffer.from(
    Details.encode({
      serial: 1,
      issuerSerial: ROOT_SERIAL,
      key: intermediateKey.public,
      notBefore: now - 3600,
      notAfter: now + 365 * 86400,
    }).finish(),
  );
  const leafDetails = Buffer.from(
    Details.encode({
      serial: 2,
      issuerSerial: 1,
      key: serverStatic.public,
      notBefore: now - 3600,
      notAfter: now + 30 * 86400,
    }).finish(),
  );
  return Buffer.from(
    proto.CertChain.encode({
      intermediate: {
        details: intermediateDetails,
        signature: Buffer.from(Curve.sign(root.private, intermediateDetails)),
      },
      leaf: {
        details: leafDetails,
        signature: Buffer.from(Curve.sign(intermediateKey.private, leafDetails)),
      },
    }).finish(),
  );
};
