import { describe, expect, it } from 'vitest';
import { chatStateChange } from '../../../session-host/chat-state-events.js';

describe('chatStateChange: the flags a Baileys chats.update carries', () => {
  it('maps archive, pin, mute (with an end, for ever, off) and mark (un)read', () => {
    expect(chatStateChange({ archived: true })).toEqual({ archived: true });
    expect(chatStateChange({ pinned: 1796660373163 })).toEqual({ pinned: true });
    expect(chatStateChange({ pinned: null })).toEqual({ pinned: false });
    expect(chatStateChange({ muteEndTime: Date.parse('2030-01-01T08:00:00.000Z') })).toEqual({
      muted: true,
      mutedUntil: '2030-01-01T08:00:00.000Z',
    });
    expect(chatStateChange({ muteEndTime: -1 })).toEqual({ muted: true, mutedUntil: null });
    expect(chatStateChange({ muteEndTime: null })).toEqual({ muted: false, mutedUntil: null });
    expect(chatStateChange({ unreadCount: -1 })).toEqual({ unread: true });
    expect(chatStateChange({ unreadCount: 0 })).toEqual({ unread: false });
  });

  it('carries nothing for the unread count a new message adds', () => {
    expect(chatStateChange({ unreadCount: 1 })).toBeNull();
    expect(chatStateChange({ conversationTimestamp: 1 })).toBeNull();
  });
});
