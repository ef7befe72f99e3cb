import type { BinaryNode } from '@whiskeysockets/baileys';

export type { BinaryNode };

export const S_WHATSAPP_NET = 's.whatsapp.net';

export const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));

export const node = (
  tag: string,
  attrs: Record<string, string> = {},
  content?: BinaryNode['content'],
): BinaryNode => (content === undefined ? { tag, attrs } : { tag, attrs, content });

export const childrenOf = (n: BinaryNode | undefined): BinaryNode[] =>
  Array.isArray(n?.content) ? n.content : [];

export const childOf = (n: BinaryNode | undefined, tag: string): BinaryNode | undefined =>
  childrenOf(n).find((c) => c.tag === tag);

export const childrenNamed = (n: BinaryNode | undefined, tag: string): BinaryNode[] =>
  childrenOf(n).filter((c) => c.tag === tag);

export const bufferOf = (n: BinaryNode | undefined): Buffer | undefined => {
  const c = n?.content;
  if (c instanceof Uint8Array) return Buffer.from(c);
  if (typeof c === 'string') return Buffer.from(c, 'utf8');
  return undefined;
};

export const childBuffer = (n: BinaryNode | undefined, tag: string): Buffer | undefined =>
  bufferOf(childOf(n, tag));

/** Big-endian unsigned integer of `length` bytes, as WhatsApp encodes registration ids and key ids. */
export const uintBE = (value: number, length: number): Buffer => {
  const out = Buffer.alloc(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
};

export const readUintBE = (buf: Buffer | undefined): number => {
  if (!buf) return 0;
  let v = 0;
  for (const b of buf) v = v * 256 + b;
  return v;
};

export const iqResult = (iq: BinaryNode, content?: BinaryNode[]): BinaryNode =>
  node('iq', { from: S_WHATSAPP_NET, type: 'result', id: iq.attrs.id ?? '' }, content);

export const iqError = (iq: BinaryNode, code: number, text: string): BinaryNode =>
  node('iq', { from: S_WHATSAPP_NET, type: 'error', id: iq.attrs.id ?? '' }, [
    node('error', { code: String(code), text }),
  ]);

/**
 * One-line rendering for logs and the stanza contract: binary payloads shown by size only, long child lists
 * folded, so a trace stays readable and free of key material.
 */
export const briefNode = (n: BinaryNode, depth = 0): string => {
  const attrs = Object.entries(n.attrs)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  let inner = '';
  if (Array.isArray(n.content)) {
    const first = n.content[0];
    inner =
      n.content.length > 6 && depth > 0 && first
        ? ` [${n.content.length}x ${first.tag}]`
        : ' ' + n.content.map((c) => briefNode(c, depth + 1)).join(' ');
  } else if (n.content !== undefined) {
    inner = ` #${n.content.length}b`;
  }
  return `<${n.tag}${attrs ? ' ' + attrs : ''}${inner}>`;
};
