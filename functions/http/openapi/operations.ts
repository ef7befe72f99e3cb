/** Every area's OpenAPI operations. A new area adds its list here (one import, one spread). */
import { CONTACT_OPERATIONS } from './contact-operations.js';
import { CONTROL_PLANE_OPERATIONS } from './control-plane-operations.js';
import { GROUP_OPERATIONS } from './group-operations.js';
import type { OperationSpec } from './operation.js';
import { POOL_OPERATIONS } from './pool-operations.js';
import { WEBHOOK_OPERATIONS } from './webhook-operations.js';

export const ALL_OPERATIONS: readonly OperationSpec[] = [
  ...CONTROL_PLANE_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
  ...CONTACT_OPERATIONS,
  ...GROUP_OPERATIONS,
  ...POOL_OPERATIONS,
];
