/** OpenAPI operations of `CONTACT_ROUTES` (docs/api.md, "Contacts"). */
import * as z from 'zod';
import {
  BlocklistViewSchema,
  BlockViewSchema,
  ContactProfileViewSchema,
} from '../../../shared/services/contact-profile.js';
import { ContactCheckRequestSchema, ContactCheckViewSchema } from '../../../shared/services/contacts.js';
import {
  PresenceSubscriptionViewSchema,
  PresenceViewSchema,
  SetPresenceRequestSchema,
  TypingRequestSchema,
  TypingViewSchema,
} from '../../../shared/services/presence.js';
import { ChatStateRequestSchema } from '../../../shared/services/chat-state.js';
import { ChatViewSchema } from '../../../shared/services/views.js';
import { ChatPathSchema, ContactPathSchema, SessionPathSchema } from '../schemas.js';
import type { OperationSpec } from './operation.js';

/** What every host request can answer besides its success (docs/api.md, "Contacts"). */
const HOST_REQUEST_ERRORS = [409, 502, 503, 504] as const;

export const CONTACT_OPERATIONS: readonly OperationSpec[] = [
  {
    routeKey: 'POST /v1/sessions/{sessionId}/presence',
    operationId: 'setPresence',
    summary: 'Show the account online or offline',
    description:
      'What the account’s contacts see (WhatsApp also stops pushing notifications to the phone while a ' +
      'companion is online). 409 `session-not-connected`; 504 `host-timeout`.',
    tag: 'presence',
    scopes: ['messages:send'],
    path: SessionPathSchema,
    body: SetPresenceRequestSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'Sent to WhatsApp', schema: PresenceViewSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/chats/{chatId}/typing',
    operationId: 'sendTyping',
    summary: 'Show the contact "typing..." or "recording audio..."',
    description:
      'WhatsApp shows it for about 25 s unless renewed; `paused` ends it at once. 409 `session-not-connected`; ' +
      '504 `host-timeout`.',
    tag: 'presence',
    scopes: ['messages:send'],
    path: ChatPathSchema,
    body: TypingRequestSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'Sent to WhatsApp', schema: TypingViewSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/contacts/{phone}/presence/subscribe',
    operationId: 'subscribePresence',
    summary: 'Subscribe to a contact’s presence',
    description:
      'The contact’s online/offline (with last seen when it shares it) and its typing in the chat arrive as ' +
      '`presence.updated` events; the session’s host subscribes again after a reconnect (not after the ' +
      'session moves to another host: subscribe again then).',
    tag: 'presence',
    scopes: ['messages:read'],
    path: ContactPathSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'Subscribed', schema: PresenceSubscriptionViewSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/contacts/check',
    operationId: 'checkContacts',
    summary: 'Check which numbers are on WhatsApp',
    description:
      'Up to 50 numbers per request, answered in the order given: `exists`, the `jid` and, when WhatsApp ' +
      'discloses it, the `lid`. Each answer is kept 24 h per session (`cached: true` when reused), so repeating ' +
      'a check does not reach WhatsApp. Numbers asked of WhatsApp count against the session’s daily limit ' +
      '(429 past it, until 00:00 UTC). 409 `session-not-connected` when the session is not connected; 504 ' +
      '`host-timeout` when its host did not answer in time (retry).',
    tag: 'contacts',
    scopes: ['sessions:read'],
    path: SessionPathSchema,
    body: ContactCheckRequestSchema,
    errors: [409, 429, 502, 503, 504],
    responses: {
      200: {
        description: 'One result per number',
        schema: z.object({ results: z.array(ContactCheckViewSchema) }),
      },
    },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/contacts/{phone}/profile',
    operationId: 'getContactProfile',
    summary: 'A contact’s profile picture, about text and business profile',
    description:
      '`pictureUrl` is WhatsApp’s URL of the full picture (it expires; fetch it soon), absent when the contact ' +
      'has none or hides it from this account; `about` likewise; `business` only for a business account. ' +
      'Asked of WhatsApp each time (nothing is kept).',
    tag: 'contacts',
    scopes: ['messages:read'],
    path: ContactPathSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'The profile', schema: ContactProfileViewSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/contacts/{phone}/block',
    operationId: 'blockContact',
    summary: 'Block a contact',
    description: 'WhatsApp stops delivering the contact’s messages and calls to the account.',
    tag: 'contacts',
    scopes: ['messages:send'],
    path: ContactPathSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'Blocked', schema: BlockViewSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/contacts/{phone}/unblock',
    operationId: 'unblockContact',
    summary: 'Unblock a contact',
    tag: 'contacts',
    scopes: ['messages:send'],
    path: ContactPathSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'Unblocked', schema: BlockViewSchema } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/contacts/blocked',
    operationId: 'listBlockedContacts',
    summary: 'The account’s block list',
    description:
      'As WhatsApp keeps it. Today’s WhatsApp lists LIDs: each item has the `lid` and, when the session knows ' +
      'it, the `phone`.',
    tag: 'contacts',
    scopes: ['messages:read'],
    path: SessionPathSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'The blocked contacts', schema: BlocklistViewSchema } },
  },
  {
    routeKey: 'PATCH /v1/sessions/{sessionId}/chats/{chatId}',
    operationId: 'updateChatState',
    summary: 'Archive, pin, mute or mark a chat unread',
    description:
      'Through WhatsApp’s app state: the change shows on the account’s phone and other devices. Changes made ' +
      'on the phone come back the other way, into the chat and as `chat.updated` events (also published for ' +
      'this change). 404 for a chat this session does not have; 409 `session-not-connected`; 504 `host-timeout`.',
    tag: 'messages',
    scopes: ['messages:send'],
    path: ChatPathSchema,
    body: ChatStateRequestSchema,
    errors: [...HOST_REQUEST_ERRORS],
    responses: { 200: { description: 'The chat with its flags', schema: ChatViewSchema } },
  },
];
