/**
 * What an API key may do. Kept apart from `api-key.ts` (which hashes with `node:crypto`) so the browser console
 * can list the scopes from the same schema.
 */
import * as z from 'zod';

export const ScopeSchema = z.enum([
  'sessions:read',
  'sessions:write',
  'messages:send',
  'messages:read',
  'webhooks:manage',
  'keys:manage',
]);
export type Scope = z.infer<typeof ScopeSchema>;
export const ALL_SCOPES: readonly Scope[] = ScopeSchema.options;
