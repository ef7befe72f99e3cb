import { describe, expect, it } from 'vitest';
import { SendMessageRequestSchema } from '../../../../shared/domain/message.js';
import { UnsafeUrlError } from '../../../../shared/net/public-url.js';
import { assertPublicMediaUrl, mediaUrlOf } from '../../../../shared/services/media-url-guard.js';

const image = (url: string) =>
  SendMessageRequestSchema.parse({ to: '+15551234567', type: 'image', image: { url } });

describe('mediaUrlOf', () => {
  it('finds the URL of any media type, with its pointer; none for text or an uploaded media id', () => {
    expect(mediaUrlOf(image('https://a.example/x.jpg'))).toEqual({
      url: 'https://a.example/x.jpg',
      pointer: '/image/url',
    });
    const doc = SendMessageRequestSchema.parse({
      to: '+15551234567',
      type: 'document',
      document: { url: 'https://a.example/x.pdf', fileName: 'x.pdf' },
    });
    expect(mediaUrlOf(doc)?.pointer).toBe('/document/url');
    expect(
      mediaUrlOf(SendMessageRequestSchema.parse({ to: '+15551234567', type: 'text', text: { body: 'x' } })),
    ).toBeUndefined();
  });
});

describe('assertPublicMediaUrl', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/x.jpg',
    'http://192.168.1.1/x.jpg',
    'http://127.0.0.1/x.jpg',
    'http://localhost/x.jpg',
    'http://[::1]/x.jpg',
    'http://[fe80::1]/x.jpg',
    'http://0.0.0.0/x.jpg',
  ])('refuses %s with a 400 naming /image/url', async (url) => {
    const error = await assertPublicMediaUrl(image(url), { allowLoopback: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeUrlError);
    expect((error as UnsafeUrlError).errors[0]?.pointer).toBe('/image/url');
  });

  it('admits public literal addresses, and loopback only when allowed', async () => {
    await expect(
      assertPublicMediaUrl(image('https://93.184.216.34/x.jpg'), { allowLoopback: false }),
    ).resolves.toBeUndefined();
    await expect(
      assertPublicMediaUrl(image('http://127.0.0.1:8080/x.jpg'), { allowLoopback: true }),
    ).resolves.toBeUndefined();
  });
});
