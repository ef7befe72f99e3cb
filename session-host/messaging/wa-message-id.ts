/**
 * WhatsApp's id of one of our messages, derived from our id alone, so every attempt to send a message uses the
 * same WhatsApp id: a resend after a crash or takeover is a repeat the receiving phone (and the server) drops,
 * never a second message. Same shape as Baileys' own ids (`3EB0` + 18 upper-case hex digits).
 */
import { createHash } from 'node:crypto';

export function waMessageIdFor(messageId: string): string {
  const digest = createHash('sha256').update(`wa-platform/message/${messageId}`).digest('hex');
  return `3EB0${digest.slice(0, 18).toUpperCase()}`;
}
