/**
 * Media objects: what a tenant uploads to send (`POST /v1/media`) and what a session host downloads from an
 * incoming WhatsApp message. Both live in the media bucket under one key scheme, envelope-encrypted like session
 * credentials, and are named in message content by `mediaId`. The bucket expires objects after 30 days.
 */
import * as z from 'zod';
import { IdSchema, TimestampSchema } from './ids.js';

/** Where a media object lives in the media bucket: per tenant, so a key never crosses tenants. */
export function mediaObjectKey(tenantId: string, mediaId: string): string {
  return `media/${tenantId}/${mediaId}`;
}

/** `type/subtype`, no parameters (what WhatsApp messages carry as `mimetype`). */
export const MediaMimeTypeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][\w.+-]*\/[\w.+-]+$/, 'must be a MIME type like image/jpeg');

/** Days the media bucket keeps an object (its lifecycle rule); a `mediaId` is useless after that. */
export const MEDIA_RETENTION_DAYS = 30;

export const MediaViewSchema = z.object({
  id: IdSchema,
  mimeType: MediaMimeTypeSchema,
  size: z.number().int().nonnegative(),
  expiresAt: TimestampSchema,
});
export type MediaView = z.infer<typeof MediaViewSchema>;
