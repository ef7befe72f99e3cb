import { describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import { inboundActionOf } from '../../../../session-host/messaging/inbound-actions.js';
import { fromVCard, toInboundContent } from '../../../../session-host/messaging/inbound-content.js';
import { toVCard } from '../../../../session-host/messaging/send-content.js';

const OUR_ID = '01M88Q4TX5VQZXFJ3EW30V6H29';

describe('a received WhatsApp message as our content', () => {
  it('text, and a quoted reply with the quoted WhatsApp id', () => {
    expect(toInboundContent({ conversation: 'hi' }, undefined)).toEqual({
      content: { type: 'text', text: { body: 'hi' } },
    });
    expect(
      toInboundContent(
        { extendedTextMessage: { text: 'yes', contextInfo: { stanzaId: '3EB0ABC' } } },
        undefined,
      ),
    ).toEqual({ content: { type: 'text', text: { body: 'yes' } }, quotedWaId: '3EB0ABC' });
  });

  it('media is described (the file is downloaded by media-download.ts); wrappers are unwrapped', () => {
    expect(
      toInboundContent(
        { ephemeralMessage: { message: { imageMessage: { mimetype: 'image/jpeg', caption: 'look' } } } },
        undefined,
      ),
    ).toEqual({ content: { type: 'image', image: { mimeType: 'image/jpeg', caption: 'look' } } });
    expect(
      toInboundContent({ audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true } }, undefined)
        ?.content,
    ).toEqual({ type: 'audio', audio: { mimeType: 'audio/ogg', ptt: true } });
    expect(
      toInboundContent(
        { documentWithCaptionMessage: { message: { documentMessage: { fileName: 'a.pdf', caption: 'c' } } } },
        undefined,
      )?.content,
    ).toEqual({ type: 'document', document: { fileName: 'a.pdf', caption: 'c' } });
  });

  it('location and contact cards', () => {
    expect(
      toInboundContent(
        { locationMessage: { degreesLatitude: 1.5, degreesLongitude: -2, name: 'Here' } },
        undefined,
      )?.content,
    ).toEqual({ type: 'location', location: { latitude: 1.5, longitude: -2, name: 'Here' } });
    const vcard = toVCard({ name: { formattedName: 'Ann, Sales' }, phones: [{ phone: '+15550001234' }] });
    expect(toInboundContent({ contactMessage: { displayName: 'Ann', vcard } }, undefined)?.content).toEqual({
      type: 'contacts',
      contacts: [{ name: { formattedName: 'Ann, Sales' }, phones: [{ phone: '+15550001234' }] }],
    });
  });

  it('a reaction names our id when we have the target, else it is unsupported', () => {
    const reaction = { reactionMessage: { text: '👍', key: { id: '3EB0T' } } };
    expect(toInboundContent(reaction, OUR_ID)).toEqual({
      content: { type: 'reaction', reaction: { messageId: OUR_ID, emoji: '👍' } },
      quotedWaId: '3EB0T',
    });
    expect(toInboundContent(reaction, undefined)?.content).toEqual({
      type: 'unsupported',
      unsupported: { waType: 'reactionMessage' },
    });
  });

  it('protocol traffic is not a message; unmodelled or out-of-limits content is unsupported', () => {
    expect(toInboundContent({ protocolMessage: { type: 0 } }, undefined)).toBeNull();
    expect(toInboundContent({}, undefined)).toBeNull();
    expect(toInboundContent({ pollCreationMessage: { name: 'Lunch?' } }, undefined)?.content).toEqual({
      type: 'unsupported',
      unsupported: { waType: 'pollCreationMessage' },
    });
    expect(toInboundContent({ imageMessage: { caption: 'x'.repeat(5000) } }, undefined)?.content).toEqual({
      type: 'unsupported',
      unsupported: { waType: 'imageMessage' },
    });
  });
});

describe('polls, edits, revokes and votes', () => {
  it("a contact's poll is stored with empty tallies; WhatsApp's 0 (any number) becomes the option count", () => {
    const options = [{ optionName: 'Red' }, { optionName: 'Blue' }];
    expect(
      toInboundContent(
        { pollCreationMessageV3: { name: 'Colour?', options, selectableOptionsCount: 1 } },
        undefined,
      )?.content,
    ).toEqual({
      type: 'poll',
      poll: {
        name: 'Colour?',
        options: [
          { name: 'Red', count: 0, voters: [] },
          { name: 'Blue', count: 0, voters: [] },
        ],
        selectableCount: 1,
      },
    });
    const any = toInboundContent(
      { pollCreationMessage: { name: 'Q', options, selectableOptionsCount: 0 } },
      undefined,
    );
    expect(any?.content).toMatchObject({ type: 'poll', poll: { selectableCount: 2 } });
  });

  it('edits, revokes and votes are actions on a target, not messages', () => {
    const { Type } = proto.Message.ProtocolMessage;
    const key = { remoteJid: '15550001111@s.whatsapp.net', fromMe: true, id: '3EB0TARGET' };
    expect(
      inboundActionOf({
        protocolMessage: { key, type: Type.MESSAGE_EDIT, editedMessage: { conversation: 'fixed' } },
      }),
    ).toEqual({ kind: 'edit', targetWaId: '3EB0TARGET', body: 'fixed' });
    expect(
      inboundActionOf({
        editedMessage: {
          message: {
            protocolMessage: {
              key,
              type: Type.MESSAGE_EDIT,
              editedMessage: { extendedTextMessage: { text: 'wrapped' } },
            },
          },
        },
      }),
    ).toEqual({ kind: 'edit', targetWaId: '3EB0TARGET', body: 'wrapped' });
    expect(inboundActionOf({ protocolMessage: { key, type: Type.REVOKE } })).toEqual({
      kind: 'revoke',
      targetWaId: '3EB0TARGET',
    });
    expect(
      inboundActionOf({
        pollUpdateMessage: { pollCreationMessageKey: key, vote: { encPayload: new Uint8Array(1) } },
      }),
    ).toMatchObject({ kind: 'vote', targetWaId: '3EB0TARGET' });
    // Other protocol traffic (history sync, app-state keys) and plain messages are not actions.
    expect(inboundActionOf({ protocolMessage: { type: Type.HISTORY_SYNC_NOTIFICATION } })).toBeNull();
    expect(inboundActionOf({ conversation: 'hi' })).toBeNull();
  });
});

describe('vCards', () => {
  it('round-trip names with special characters and several numbers', () => {
    const card = {
      name: { formattedName: 'Dr. Ann; "Support", Berlin' },
      phones: [{ phone: '+15550001234' }, { phone: '+4930123456' }],
    };
    expect(fromVCard(toVCard(card), 'ignored')).toEqual(card);
  });

  it('reads numbers without waid, falls back to the display name, and refuses a card with no usable number', () => {
    const vcard = ['BEGIN:VCARD', 'VERSION:3.0', 'item1.TEL:+1 (555) 000-9999', 'END:VCARD'].join('\r\n');
    expect(fromVCard(vcard, 'Bob')).toEqual({
      name: { formattedName: 'Bob' },
      phones: [{ phone: '+15550009999' }],
    });
    expect(fromVCard('BEGIN:VCARD\nFN:Nobody\nTEL:12\nEND:VCARD', '')).toBeNull();
  });
});
