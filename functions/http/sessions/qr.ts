import QRCode from 'qrcode';
import { getQr } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { BinaryResponse, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { QrQuerySchema, SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `GET /v1/sessions/{sessionId}/qr[?format=png]`: the QR the host wrote on the session (`{ qr, refresh,
 * expiresAt }`), or the same as a PNG. 409 when the session is not waiting for a scan.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  path: SessionPathSchema,
  query: QrQuerySchema,
  handler: async ({ path, query, auth }) => {
    const qr = await getQr(controlPlane(), auth.tenant.id, path.sessionId);
    if (query.format === 'json') return qr;
    // Medium error correction and a quiet zone: what phone cameras read reliably off a screen.
    const png = await QRCode.toBuffer(qr.qr, {
      type: 'png',
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 320,
    });
    return new BinaryResponse('image/png', png);
  },
});
