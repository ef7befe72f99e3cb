/**
 * OpenAPI operations of the webhook and WebSocket-ticket routes (`WEBHOOK_ROUTES`). Owned by the webhooks area:
 * add one `OperationSpec` per route (see `control-plane-operations.ts` for examples); routes without one still
 * appear in the document with a generic description.
 */
import type { OperationSpec } from './operation.js';

export const WEBHOOK_OPERATIONS: readonly OperationSpec[] = [];
