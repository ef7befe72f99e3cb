/**
 * The WhatsApp Web version the host announces (docs/whatsapp-compatibility.md, "WA Web version"). rc14 ships
 * `2.3000.1043857760`; once WhatsApp retires a version, a QR still shows but the phone refuses the link, or the
 * login is closed with 405. `APP_WA_VERSION` overrides it without a new Baileys; each 405 close is counted
 * (`LoginsClosed405`) and alarmed in CloudWatch, the signal to raise it.
 *
 * Drop the override when the pinned Baileys ships a version WhatsApp still accepts and nobody sets it.
 */
import type { WAVersion } from '@whiskeysockets/baileys';
import { z } from 'zod';

/** `major.minor.patch`, as WhatsApp Web's `client_revision` is reported (e.g. `2.3000.1043857760`). */
export const WaVersionSchema = z
  .string()
  .regex(/^\d{1,4}\.\d{1,6}\.\d{1,12}$/, 'must be major.minor.patch, e.g. 2.3000.1043857760')
  .transform((v): WAVersion => {
    const [major = 0, minor = 0, patch = 0] = v.split('.').map(Number);
    return [major, minor, patch];
  });

/** WhatsApp's close for an outdated client version (counted as `METRIC.loginsClosed405`). */
export const OUTDATED_VERSION_STATUS = 405;
