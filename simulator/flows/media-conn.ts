import { MEDIA_UPLOAD_MAX_BYTES } from '../world/media.js';
import { iqError, iqResult, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { send } from './context.js';
import type { Session, SimContext } from './context.js';

/** Seconds a client may reuse the answer (Baileys asks again after `ttl`, or at once after a refused upload). */
const MEDIA_CONN_TTL_S = 300;

/**
 * `<iq xmlns="w:m" type="set"><media_conn/></iq>`: where to upload and with which token. Baileys reads `auth`,
 * `ttl` and each `<host hostname maxContentLengthBytes>`; it uploads to `https://<hostname><path>` in order.
 * WhatsApp also sends `auth_ttl` and `max_buckets`, echoed here for shape.
 */
export const onMediaConn = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const hostname = ctx.mediaHost;
  if (!hostname) {
    await send(session, iqError(iq, 503, 'service-unavailable'));
    return;
  }
  await send(
    session,
    iqResult(iq, [
      node(
        'media_conn',
        {
          auth: ctx.world.mediaAuth.token,
          ttl: String(MEDIA_CONN_TTL_S),
          auth_ttl: String(MEDIA_CONN_TTL_S),
          max_buckets: '12',
        },
        [node('host', { hostname, maxContentLengthBytes: String(MEDIA_UPLOAD_MAX_BYTES) })],
      ),
    ]),
  );
};
