import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WAMessage } from '@whiskeysockets/baileys';
import { requestMediaReupload } from '../../../../session-host/compat/media-retry.js';
import type { MediaRetryError } from '../../../../session-host/compat/media-retry.js';

const key = randomBytes(32);
/** A message as read back from JSON: the media key is base64, which rc14's re-upload request cannot use. */
const stored = (): WAMessage => ({
  key: { id: '3EB0BBBB', remoteJid: '15550001111@s.whatsapp.net', fromMe: false },
  message: {
    imageMessage: {
      url: 'https://mmg.whatsapp.net/o1/v/t62/old?mms3=true',
      directPath: '/o1/v/t62/old',
      mediaKey: key.toString('base64') as unknown as Uint8Array,
    },
  },
});

describe('requestMediaReupload (rc14 updateMediaMessage, bounded)', () => {
  it('hands rc14 the key as bytes and returns a copy naming the new file on the original host', async () => {
    let given: unknown;
    const sock = {
      updateMediaMessage: async (m: WAMessage) => {
        given = m.message?.imageMessage?.mediaKey;
        // What rc14 does: the new path on its own media host.
        m.message!.imageMessage!.directPath = '/o1/v/t62/new';
        m.message!.imageMessage!.url = 'https://media-conn.example/o1/v/t62/new';
        return m;
      },
    };
    const original = stored();
    const fresh = await requestMediaReupload(sock, original, 1_000);
    expect(Buffer.isBuffer(given) && given.equals(key)).toBe(true);
    expect(fresh.message?.imageMessage).toMatchObject({
      url: 'https://mmg.whatsapp.net/o1/v/t62/new',
      directPath: null,
    });
    expect(original.message?.imageMessage?.directPath).toBe('/o1/v/t62/old'); // not changed
  });

  it('maps the failures: no answer in time and NOT_FOUND are media_expired, a decryption error media_unavailable', async () => {
    const code = (p: Promise<unknown>) => p.catch((e: unknown) => (e as MediaRetryError).code);
    const never = { updateMediaMessage: () => new Promise<WAMessage>(() => undefined) };
    expect(await code(requestMediaReupload(never, stored(), 50))).toBe('media_expired');
    const failing = (statusCode: number) => ({
      // rc14 rejects with a Boom: the status is `output.statusCode`.
      updateMediaMessage: () =>
        Promise.reject(
          Object.assign(new Error('Media re-upload failed by device'), { output: { statusCode } }),
        ),
    });
    expect(await code(requestMediaReupload(failing(404), stored(), 1_000))).toBe('media_expired');
    expect(await code(requestMediaReupload(failing(412), stored(), 1_000))).toBe('media_unavailable');
  });
});
