/**
 * Our stored message content -> what Baileys' `sendMessage` takes (docs/messaging.md, "What each type maps
 * to"). Media bytes come from `loadMedia`; replies and reactions point at WhatsApp ids looked up from our ids.
 * Text never gets a link preview: Baileys would fetch the URL in the body from the host, unguarded.
 */
import type { AnyMessageContent, proto, WAMessage } from '@whiskeysockets/baileys';
import type { ContactCard, Message, MessageContent } from '../../shared/domain/message.js';
import { messagePreview } from '../../shared/domain/message.js';
import { phoneToJid } from '../../shared/domain/phone.js';
import type { LoadedMedia, MediaSource } from './media-fetch.js';
import { SendFailure } from './send-failure.js';

export interface SendContentLookups {
  /** The media bytes of a source (uploaded object or URL). */
  loadMedia(source: MediaSource): Promise<LoadedMedia>;
  /** One of this session's messages by our id (for `replyTo` and reactions). */
  findMessage(messageId: string): Promise<Message | null>;
  /** Our poll's message secret, kept before its first send (the same on every resend); absent: Baileys' own. */
  pollSecret?(messageId: string): Promise<Uint8Array>;
}

export interface BaileysSend {
  readonly content: AnyMessageContent;
  /** The message replied to, as Baileys wants it (`sendMessage(..., { quoted })`). */
  readonly quoted?: WAMessage;
}

export async function toBaileysSend(message: Message, lookups: SendContentLookups): Promise<BaileysSend> {
  const content = await toBaileysContent(message.content, message.chatJid, lookups, message.id);
  if (message.replyTo === undefined) return { content };
  const target = await lookups.findMessage(message.replyTo);
  if (!target?.waMessageId) {
    throw new SendFailure(
      'reply_target_not_found',
      `replyTo ${message.replyTo} is not a sent or received message`,
    );
  }
  return { content, quoted: quotedOf(target) };
}

async function toBaileysContent(
  content: MessageContent,
  chatJid: string,
  lookups: SendContentLookups,
  messageId: string,
): Promise<AnyMessageContent> {
  switch (content.type) {
    case 'text':
      return {
        text: content.text.body,
        linkPreview: null,
        // Mentions name members by phone-number jid; the phones show them as @name.
        ...(content.text.mentions?.length ? { mentions: content.text.mentions.map(phoneToJid) } : {}),
      };
    case 'image': {
      const media = await lookups.loadMedia(content.image);
      return {
        image: media.bytes,
        ...caption(content.image.caption),
        ...mimetype(content.image.mimeType ?? media.mimeType),
      };
    }
    case 'video': {
      const media = await lookups.loadMedia(content.video);
      return {
        video: media.bytes,
        ...caption(content.video.caption),
        ...(content.video.gifPlayback ? { gifPlayback: true } : {}),
        ...mimetype(content.video.mimeType ?? media.mimeType),
      };
    }
    case 'audio': {
      const media = await lookups.loadMedia(content.audio);
      // Voice notes must be Opus in Ogg for phones to show the waveform player.
      const fallback = content.audio.ptt ? 'audio/ogg; codecs=opus' : media.mimeType;
      return { audio: media.bytes, ptt: content.audio.ptt, ...mimetype(content.audio.mimeType ?? fallback) };
    }
    case 'document': {
      const media = await lookups.loadMedia(content.document);
      return {
        document: media.bytes,
        fileName: content.document.fileName,
        mimetype: content.document.mimeType ?? media.mimeType ?? 'application/octet-stream',
        ...caption(content.document.caption),
      };
    }
    case 'sticker': {
      const media = await lookups.loadMedia(content.sticker);
      return {
        sticker: media.bytes,
        ...mimetype(content.sticker.mimeType ?? media.mimeType ?? 'image/webp'),
      };
    }
    case 'location':
      return {
        location: {
          degreesLatitude: content.location.latitude,
          degreesLongitude: content.location.longitude,
          ...(content.location.name !== undefined ? { name: content.location.name } : {}),
          ...(content.location.address !== undefined ? { address: content.location.address } : {}),
        },
      };
    case 'contacts':
      return {
        contacts: {
          displayName:
            content.contacts.length === 1
              ? content.contacts[0]!.name.formattedName
              : `${content.contacts.length} contacts`,
          contacts: content.contacts.map((card) => ({
            displayName: card.name.formattedName,
            vcard: toVCard(card),
          })),
        },
      };
    case 'reaction': {
      const target = await lookups.findMessage(content.reaction.messageId);
      if (!target?.waMessageId || target.chatJid !== chatJid) {
        throw new SendFailure(
          'reaction_target_not_found',
          `reaction.messageId ${content.reaction.messageId} is not a message of this chat`,
        );
      }
      return { react: { text: content.reaction.emoji, key: keyOf(target) } };
    }
    case 'poll': {
      const secret = await lookups.pollSecret?.(messageId);
      return {
        poll: {
          name: content.poll.name,
          values: content.poll.options.map((o) => o.name),
          selectableCount: content.poll.selectableCount,
          ...(secret !== undefined ? { messageSecret: secret } : {}),
        },
      };
    }
    case 'edit': {
      const target = await ownTarget(lookups, content.edit.messageId, chatJid, 'edit');
      return { text: content.edit.body, edit: keyOf(target), linkPreview: null };
    }
    case 'revoke': {
      const target = await ownTarget(lookups, content.revoke.messageId, chatJid, 'revoke');
      return { delete: keyOf(target) };
    }
    case 'revoked':
      throw new SendFailure('send_failed', 'a revoked message cannot be sent');
    case 'unsupported':
      throw new SendFailure('send_failed', `a message of type ${content.unsupported.waType} cannot be sent`);
  }
}

/** The target of our edit or revoke: our own sent message in this chat (the API checked; it may have changed). */
async function ownTarget(
  lookups: SendContentLookups,
  messageId: string,
  chatJid: string,
  action: 'edit' | 'revoke',
): Promise<Message> {
  const target = await lookups.findMessage(messageId);
  if (
    !target?.waMessageId ||
    target.chatJid !== chatJid ||
    target.direction !== 'outbound' ||
    target.revoked
  ) {
    throw new SendFailure(
      `${action}_target_not_found`,
      `${action}.messageId ${messageId} is not a sent message of ours in this chat`,
    );
  }
  return target;
}

const caption = (text: string | undefined) => (text !== undefined ? { caption: text } : {});
const mimetype = (type: string | undefined) => (type !== undefined ? { mimetype: type } : {});

function keyOf(target: Message): proto.IMessageKey {
  return {
    remoteJid: target.chatJid,
    fromMe: target.direction === 'outbound',
    id: target.waMessageId ?? null,
    ...(target.direction === 'inbound' && target.senderJid && target.senderJid !== target.chatJid
      ? { participant: target.senderJid }
      : {}),
  };
}

/**
 * The quoted message as the receiving phone shows it above the reply. Built from what we stored (media bytes
 * are not re-sent): text exactly, media as its type with caption and file name.
 */
function quotedOf(target: Message): WAMessage {
  return { key: keyOf(target), message: quotedMessage(target.content) };
}

function quotedMessage(content: MessageContent): proto.IMessage {
  switch (content.type) {
    case 'text':
      return { conversation: content.text.body };
    case 'image':
      return {
        imageMessage: { caption: content.image.caption ?? null, mimetype: content.image.mimeType ?? null },
      };
    case 'video':
      return {
        videoMessage: { caption: content.video.caption ?? null, mimetype: content.video.mimeType ?? null },
      };
    case 'audio':
      return { audioMessage: { ptt: content.audio.ptt, mimetype: content.audio.mimeType ?? null } };
    case 'document':
      return {
        documentMessage: {
          fileName: content.document.fileName,
          caption: content.document.caption ?? null,
          mimetype: content.document.mimeType ?? null,
        },
      };
    case 'sticker':
      return { stickerMessage: { mimetype: content.sticker.mimeType ?? null } };
    case 'location':
      return {
        locationMessage: {
          degreesLatitude: content.location.latitude,
          degreesLongitude: content.location.longitude,
          name: content.location.name ?? null,
        },
      };
    default:
      return { conversation: messagePreview(content) };
  }
}

/** vCard 3.0 as WhatsApp writes it: `waid` makes the number tappable ("Message", "Add"). */
export function toVCard(card: ContactCard): string {
  const name = escapeVCard(card.name.formattedName);
  const phones = card.phones.map((p) => `TEL;type=CELL;type=VOICE;waid=${p.phone.slice(1)}:${p.phone}`);
  return ['BEGIN:VCARD', 'VERSION:3.0', `N:;${name};;;`, `FN:${name}`, ...phones, 'END:VCARD'].join('\n');
}

function escapeVCard(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/([,;])/g, '\\$1');
}
