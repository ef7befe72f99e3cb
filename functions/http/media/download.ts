import { downloadMedia } from '../../../shared/services/media.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { BinaryResponse, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { MediaPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `GET /v1/media/{mediaId}`: the bytes of an uploaded or incoming media object of the caller's tenant, with its
 * stored media type. Always a download (`Content-Disposition: attachment`, `nosniff`, a sandboxing CSP): the
 * bytes are tenant- or contact-provided and must never render inline (HTML, SVG) in a browser.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: MediaPathSchema,
  handler: async ({ path, auth }) => {
    const media = await downloadMedia(controlPlane(), auth.tenant.id, path.mediaId);
    return new BinaryResponse(media.contentType, media.bytes, 200, {
      'content-length': String(media.bytes.byteLength),
      // Immutable under its id and only the tenant's: the client may keep it a while, shared caches may not.
      'cache-control': 'private, max-age=300',
      'content-disposition': 'attachment',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
  },
});
