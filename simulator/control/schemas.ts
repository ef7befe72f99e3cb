import { z } from 'zod';
import { legacyBehaviourSchema } from '../legacy.js';

const phone = z.string().regex(/^\+?\d{6,15}$/, 'a phone number: 6-15 digits, optional leading +');
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'base64');
const messageId = z.string().min(1).max(128);

export const behaviourBody = z.object({ legacy: z.array(legacyBehaviourSchema).max(20) }).strict();
export const accountBody = z.object({ phone, name: z.string().min(1).max(100).optional() }).strict();
export const contactBody = accountBody;
export const pairBody = z.object({ qr: z.string().min(10).max(2000), phone }).strict();
export const pairingCodeBody = z
  .object({
    phone,
    code: z.string().regex(/^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$/, '8 characters, optional dash'),
  })
  .strict();
export const pairingPhoneBody = z.object({ phone }).strict();
export const qrRefreshBody = z
  .object({ child: z.enum(['companion_reg_refresh', 'pair-device-rotate-qr']) })
  .strict();
export const contactSendBody = z
  .object({ to: phone, text: z.string().min(1).max(65_536), replyTo: messageId.optional() })
  .strict();
/** Plain bytes of a file a contact sends, base64 (at most 16 MiB decoded, WhatsApp's usual cap). */
export const MAX_MEDIA_BYTES = 16 * 1024 * 1024;
export const contactSendMediaBody = z
  .object({
    to: phone,
    kind: z.enum(['image', 'video', 'audio', 'document', 'sticker']),
    data: z
      .string()
      .min(1)
      .max(Math.ceil(MAX_MEDIA_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
    mimetype: z.string().regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, 'a MIME type like image/jpeg'),
    caption: z.string().max(65_536).optional(),
    fileName: z.string().min(1).max(255).optional(),
    ptt: z.boolean().optional(),
  })
  .strict();
export const contactReactBody = z.object({ to: phone, messageId, emoji: z.string().max(16) }).strict();
export const addressingBody = z.object({ mode: z.enum(['pn', 'lid']) }).strict();
export const receiptBody = z.object({ messageId, type: z.enum(['delivered', 'read']) }).strict();
export const unlinkBody = z.object({ deviceId: z.number().int().positive().optional() }).strict();
export const contactDeviceSendBody = z.object({ to: phone, text: z.string().min(1).max(65_536) }).strict();
export const lidDisclosureBody = z.object({ disclosed: z.boolean() }).strict();
export const contactPresenceBody = z.object({ presence: z.enum(['available', 'unavailable']) }).strict();
export const contactChatStateBody = z
  .object({ to: phone, state: z.enum(['composing', 'recording', 'paused']) })
  .strict();
export const contactProfileBody = z
  .object({
    about: z.string().max(139).optional(),
    picture: z.boolean().optional(),
    business: z
      .object({
        description: z.string().max(512).optional(),
        category: z.string().max(100).optional(),
        email: z.string().max(128).optional(),
        website: z.string().max(256).optional(),
        address: z.string().max(256).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export const contactCallBody = z
  .object({ to: phone, video: z.boolean().optional(), group: z.boolean().optional() })
  .strict();
export const undecryptableStatusBody = z.object({ from: phone }).strict();
export const provisionBody = z
  .object({
    noiseKey: base64,
    identityKey: base64,
    registrationId: z.number().int().nonnegative(),
    signedPreKey: z
      .object({ keyId: z.number().int().nonnegative(), publicKey: base64, signature: base64 })
      .strict(),
    advSecret: base64,
    skipPreKeyUpload: z.boolean().optional(),
  })
  .strict();

export type ProvisionBody = z.infer<typeof provisionBody>;
export const timelockBody = z
  .object({
    active: z.boolean(),
    /** Epoch seconds when enforcement ends. */
    until: z.number().int().positive().optional(),
    enforcementType: z
      .string()
      .regex(/^[A-Z_]{1,64}$/)
      .optional(),
  })
  .strict();
export const trustTokenBody = z.object({ contact: phone, trusted: z.boolean() }).strict();
export const messageCappingBody = z
  .object({
    cappingStatus: z.enum(['NONE', 'FIRST_WARNING', 'SECOND_WARNING', 'CAPPED']),
    usedQuota: z.number().int().nonnegative(),
    totalQuota: z.number().int().nonnegative(),
    cycleEndTimestamp: z.number().int().positive(),
  })
  .strict();
