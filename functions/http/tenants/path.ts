import * as z from 'zod';
import { IdSchema } from '../../../shared/domain/ids.js';

/** `/v1/tenants/{tenantId}` (operator routes). */
export const TenantPathSchema = z.object({ tenantId: IdSchema });
