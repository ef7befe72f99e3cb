/** Path and query schemas shared by the webhook routes. */
import * as z from 'zod';
import { IdSchema } from '../../../shared/domain/ids.js';

export const WebhookPathSchema = z.object({ webhookId: IdSchema });
export const DeliveryPathSchema = z.object({ webhookId: IdSchema, deliveryId: IdSchema });

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(2048).optional(),
});
