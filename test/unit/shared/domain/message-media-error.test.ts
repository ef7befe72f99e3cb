import { describe, expect, it } from 'vitest';
import { MessageContentSchema, SendMessageRequestSchema, newId } from '../../../../shared/domain/index.js';

describe('mediaError: why a received file has no mediaId (expired on WhatsApp, re-upload failed)', () => {
  it('a stored media content may say media_expired or media_unavailable, nothing else', () => {
    for (const mediaError of ['media_expired', 'media_unavailable']) {
      const content = { type: 'image', image: { mimeType: 'image/jpeg', mediaError } };
      expect(MessageContentSchema.parse(content)).toEqual(content);
    }
    expect(MessageContentSchema.safeParse({ type: 'image', image: { mediaError: 'lost' } }).success).toBe(
      false,
    );
  });

  it('a send cannot carry it (the platform sets it)', () => {
    const result = SendMessageRequestSchema.safeParse({
      to: '+15551234567',
      type: 'image',
      image: { mediaId: newId(), mediaError: 'media_expired' },
    });
    expect(result.error?.issues.map((i) => i.path.join('/'))).toEqual(['image/mediaError']);
  });
});
