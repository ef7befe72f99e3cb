import { uploadMedia } from '../../../shared/services/media.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { appConfig, controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/media`: the body is the file's bytes, `Content-Type` its media type. 201 `{ id, mimeType, size,
 * expiresAt }` with `Location: /v1/media/{id}`; send it with `{ "image": { "mediaId": id } }` and friends.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  rawBody: {
    // Read after authorize: a refused request never loads the configuration.
    maxBytes: () => appConfig().APP_MEDIA_UPLOAD_MAX_BYTES,
    tooLargeHint: 'Send larger media by URL in the message instead.',
  },
  handler: async ({ body, auth }) => {
    const view = await uploadMedia(controlPlane(), {
      tenantId: auth.tenant.id,
      bytes: body.bytes,
      mimeType: body.contentType,
    });
    return created(view, `/v1/media/${view.id}`);
  },
});
