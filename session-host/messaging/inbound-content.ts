/**
 * A received WhatsApp message -> our `MessageContent` (docs/messaging.md, "Receiving"). Wrappers (ephemeral,
 * view-once, document-with-caption) are unwrapped first. Media is described here (type, MIME type, caption, file
 * name); its file is downloaded by media-download.ts, which adds the `mediaId`. Kinds we do not model are
 * `unsupported` with WhatsApp's field name; protocol traffic (revokes, key distribution, app-state sync keys)
 * is not a message at all and yields null.
 */
import { getContentType, normalizeMessageContent } from '@whiskeysockets/baileys';
import type { proto } from '@whiskeysockets/baileys';
import type { ContactCard, MessageContent } from '../../shared/domain/message.js';
import { MessageContentSchema } from '../../shared/domain/message.js';
import { E164_PATTERN } from '../../shared/domain/phone.js';

export interface InboundContent {
  readonly content: MessageContent;
  /** WhatsApp id of the message this one quotes or reacts to, if any. */
  readonly quotedWaId?: string;
}

/** Not messages a person wrote: nothing is stored for them. */
const NOT_A_MESSAGE = new Set<string>([
  'protocolMessage',
  'senderKeyDistributionMessage',
  'messageContextInfo',
  'keepInChatMessage',
  'pollUpdateMessage',
  'encReactionMessage',
  'encEventResponseMessage',
]);

/**
 * `resolveReactionTarget` maps the reacted-to WhatsApp id to our id; a reaction to a message we do not have is
 * `unsupported` (our reaction content must name our id).
 */
export function toInboundContent(
  raw: proto.IMessage | null | undefined,
  reactionTarget: string | undefined,
): InboundContent | null {
  const message = normalizeMessageContent(raw);
  const kind = getContentType(message ?? undefined);
  if (!message || !kind || NOT_A_MESSAGE.has(kind)) return null;
  const unsupported = (): InboundContent => ({
    content: { type: 'unsupported', unsupported: { waType: kind } },
  });
  const quoted = (info: proto.IContextInfo | null | undefined) =>
    info?.stanzaId ? { quotedWaId: info.stanzaId } : {};
  const text = (s: string | null | undefined) => (s ? s : undefined);

  let result: InboundContent;
  switch (kind) {
    case 'conversation':
      result = { content: { type: 'text', text: { body: message.conversation ?? '' } } };
      break;
    case 'extendedTextMessage': {
      const m = message.extendedTextMessage!;
      result = { content: { type: 'text', text: { body: m.text ?? '' } }, ...quoted(m.contextInfo) };
      break;
    }
    case 'imageMessage': {
      const m = message.imageMessage!;
      result = {
        content: { type: 'image', image: media(m.mimetype, { caption: text(m.caption) }) },
        ...quoted(m.contextInfo),
      };
      break;
    }
    case 'videoMessage': {
      const m = message.videoMessage!;
      result = {
        content: {
          type: 'video',
          video: media(m.mimetype, {
            caption: text(m.caption),
            gifPlayback: m.gifPlayback ? true : undefined,
          }),
        },
        ...quoted(m.contextInfo),
      };
      break;
    }
    case 'audioMessage': {
      const m = message.audioMessage!;
      result = {
        content: { type: 'audio', audio: media(m.mimetype, { ptt: m.ptt === true }) },
        ...quoted(m.contextInfo),
      };
      break;
    }
    case 'documentMessage': {
      const m = message.documentMessage!;
      result = {
        content: {
          type: 'document',
          document: media(m.mimetype, { fileName: text(m.fileName) ?? 'file', caption: text(m.caption) }),
        },
        ...quoted(m.contextInfo),
      };
      break;
    }
    case 'stickerMessage': {
      const m = message.stickerMessage!;
      result = { content: { type: 'sticker', sticker: media(m.mimetype, {}) }, ...quoted(m.contextInfo) };
      break;
    }
    case 'locationMessage':
    case 'liveLocationMessage': {
      const m = message.locationMessage ?? message.liveLocationMessage!;
      const named = 'name' in m ? text(m.name) : undefined;
      const address = 'address' in m ? text(m.address) : undefined;
      result = {
        content: {
          type: 'location',
          location: {
            latitude: m.degreesLatitude ?? 0,
            longitude: m.degreesLongitude ?? 0,
            ...(named !== undefined ? { name: named } : {}),
            ...(address !== undefined ? { address } : {}),
          },
        },
      };
      break;
    }
    case 'contactMessage':
    case 'contactsArrayMessage': {
      const list = message.contactMessage
        ? [message.contactMessage]
        : (message.contactsArrayMessage?.contacts ?? []);
      const cards = list.map((c) => fromVCard(c.vcard ?? '', c.displayName ?? '')).filter((c) => c !== null);
      if (cards.length === 0) return unsupported();
      result = { content: { type: 'contacts', contacts: cards.slice(0, 20) } };
      break;
    }
    case 'reactionMessage': {
      const m = message.reactionMessage!;
      if (reactionTarget === undefined)
        return { ...unsupported(), ...(m.key?.id ? { quotedWaId: m.key.id } : {}) };
      result = {
        content: { type: 'reaction', reaction: { messageId: reactionTarget, emoji: m.text ?? '' } },
        ...(m.key?.id ? { quotedWaId: m.key.id } : {}),
      };
      break;
    }
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3': {
      const m =
        message.pollCreationMessage ?? message.pollCreationMessageV2 ?? message.pollCreationMessageV3!;
      const options = (m.options ?? []).map((o) => ({ name: o.optionName ?? '', count: 0, voters: [] }));
      // WhatsApp's 0 means "any number of options".
      const selectable = m.selectableOptionsCount || options.length;
      result = {
        content: {
          type: 'poll',
          poll: { name: m.name ?? '', options, selectableCount: Math.min(selectable, options.length) },
        },
        ...quoted(m.contextInfo),
      };
      break;
    }
    default:
      return unsupported();
  }
  // What a phone sends may break our request-side limits (a caption over 1024, an odd emoji): keep the
  // message as unsupported rather than store something our schema refuses.
  return MessageContentSchema.safeParse(result.content).success
    ? result
    : { ...unsupported(), ...pickQuoted(result) };
}

/** The WhatsApp id a reaction points at (before we know our id for it). */
export function reactionTargetWaId(raw: proto.IMessage | null | undefined): string | undefined {
  return normalizeMessageContent(raw)?.reactionMessage?.key?.id ?? undefined;
}

function pickQuoted(result: InboundContent): { quotedWaId?: string } {
  return result.quotedWaId !== undefined ? { quotedWaId: result.quotedWaId } : {};
}

function media<E extends Record<string, unknown>>(mimetype: string | null | undefined, extra: E) {
  const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) as E;
  const type = mimetype?.split(';')[0]?.trim();
  return { ...(type && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? { mimeType: type } : {}), ...defined };
}

/** Name and numbers from a vCard; `waid` gives the number in international form when present. */
export function fromVCard(vcard: string, displayName: string): ContactCard | null {
  const lines = vcard.split(/\r?\n/);
  const fn = lines
    .find((l) => /^FN[:;]/i.test(l))
    ?.replace(/^FN[^:]*:/i, '')
    .replace(/\\(.)/g, '$1');
  const phones: { phone: string }[] = [];
  for (const line of lines.filter((l) => /^(item\d+\.)?TEL[:;]/i.test(l))) {
    const waid = /waid=(\d+)/i.exec(line)?.[1];
    const digits =
      waid ??
      line
        .replace(/^[^:]*:/, '')
        .replace(/[^\d+]/g, '')
        .replace(/^\+/, '');
    const phone = `+${digits}`;
    if (E164_PATTERN.test(phone) && !phones.some((p) => p.phone === phone)) phones.push({ phone });
  }
  const name = (fn ?? displayName).trim().slice(0, 256);
  if (!name || phones.length === 0) return null;
  return { name: { formattedName: name }, phones: phones.slice(0, 10) };
}
