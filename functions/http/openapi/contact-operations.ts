/** OpenAPI operations of `CONTACT_ROUTES` (docs/api.md, "Contacts"). */
import * as z from 'zod';
import { ContactCheckRequestSchema, ContactCheckViewSchema } from '../../../shared/services/contacts.js';
import { SessionPathSchema } from '../schemas.js';
import type { OperationSpec } from './operation.js';

export const CONTACT_OPERATIONS: readonly OperationSpec[] = [
  {
    routeKey: 'POST /v1/sessions/{sessionId}/contacts/check',
    operationId: 'checkContacts',
    summary: 'Check which numbers are on WhatsApp',
    description:
      'Up to 50 numbers per request, answered in the order given: `exists`, the `jid` and, when WhatsApp ' +
      'discloses it, the `lid`. Each answer is kept 24 h per session (`cached: true` when reused), so repeating ' +
      'a check does not reach WhatsApp. Numbers asked of WhatsApp count against the session’s daily limit ' +
      '(429 past it, until 00:00 UTC). 409 `session-not-connected` when the session is not connected; 504 ' +
      '`host-timeout` when its host did not answer in time (retry).',
    tag: 'contacts',
    scopes: ['sessions:read'],
    path: SessionPathSchema,
    body: ContactCheckRequestSchema,
    errors: [409, 429, 502, 503, 504],
    responses: {
      200: {
        description: 'One result per number',
        schema: z.object({ results: z.array(ContactCheckViewSchema) }),
      },
    },
  },
];
