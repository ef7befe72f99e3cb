import type { HandshakeResult } from '../wire/noise.js';
import type { Session, SimContext } from './context.js';
import { login } from './login.js';
import { startRegistration } from './pair.js';

/**
 * After the Noise handshake the ClientPayload says what the client wants: a companion without an identity
 * carries devicePairingData (registration: show a QR / ask for a code), one with saved creds names its user and
 * device (login).
 */
export const onHandshake = async (
  ctx: SimContext,
  session: Session,
  result: HandshakeResult,
): Promise<void> => {
  const { clientStaticKey, clientPayload } = result;
  const kind = clientPayload.devicePairingData ? 'registration' : 'login';
  ctx.events.emit('client-payload', { connectionId: session.conn.id, kind, payload: clientPayload });
  if (kind === 'registration') {
    await startRegistration(ctx, session, clientStaticKey, clientPayload);
  } else {
    await login(ctx, session, clientStaticKey, clientPayload);
  }
};
