import { describe, expect, it } from 'vitest';
import {
  PhoneSchema,
  isBroadcastJid,
  isGroupJid,
  isLidJid,
  isUserJid,
  jidToPhone,
  normalizeJid,
  phoneToJid,
} from '../../../../shared/domain/index.js';

describe('PhoneSchema (E.164)', () => {
  it.each(['+15551234567', '+4915112345678', '+1234567', '+123456789012345'])('accepts %s', (phone) => {
    expect(PhoneSchema.parse(phone)).toBe(phone);
  });

  it.each([
    ['no plus', '15551234567'],
    ['leading zero', '+05551234567'],
    ['too short (6 digits)', '+123456'],
    ['too long (16 digits)', '+1234567890123456'],
    ['spaces', '+1 555 123 4567'],
    ['dashes', '+1-555-123-4567'],
    ['letters', '+1555CALLNOW'],
    ['empty', ''],
  ])('refuses %s with a message saying what E.164 is', (_label, phone) => {
    const result = PhoneSchema.safeParse(phone);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/E\.164/);
  });

  it('refuses non-strings', () => {
    expect(PhoneSchema.safeParse(15551234567).success).toBe(false);
  });
});

describe('JID conversion', () => {
  it('turns a phone into a user jid', () => {
    expect(phoneToJid('+15551234567')).toBe('15551234567@s.whatsapp.net');
  });

  it('refuses to make a jid from a non-E.164 number', () => {
    expect(() => phoneToJid('5551234567')).toThrow(TypeError);
  });

  it.each([
    ['15551234567@s.whatsapp.net', '+15551234567'],
    ['15551234567:12@s.whatsapp.net', '+15551234567'],
    ['15551234567_1:3@s.whatsapp.net', '+15551234567'],
    ['15551234567@c.us', '+15551234567'],
  ])('reads the phone of %s', (jid, phone) => {
    expect(jidToPhone(jid)).toBe(phone);
  });

  it.each([
    ['a LID', '123456789012345@lid'],
    ['a device of a LID', '123456789012345:4@lid'],
    ['a group', '120363025246125486@g.us'],
    ['status broadcast', 'status@broadcast'],
    ['a broadcast list', '1234567890@broadcast'],
    ['a newsletter', '120363144038483540@newsletter'],
    ['a server jid', 's.whatsapp.net'],
    ['garbage', 'not a jid'],
    ['an empty user', '@s.whatsapp.net'],
  ])('returns null for %s', (_label, jid) => {
    expect(jidToPhone(jid)).toBeNull();
  });

  it('round-trips phone -> jid -> phone', () => {
    expect(jidToPhone(phoneToJid('+4915112345678'))).toBe('+4915112345678');
  });

  it('normalizes device and agent away, and c.us to s.whatsapp.net', () => {
    expect(normalizeJid('15551234567:12@s.whatsapp.net')).toBe('15551234567@s.whatsapp.net');
    expect(normalizeJid('15551234567_1:3@s.whatsapp.net')).toBe('15551234567@s.whatsapp.net');
    expect(normalizeJid('15551234567@c.us')).toBe('15551234567@s.whatsapp.net');
    expect(normalizeJid('123@lid')).toBe('123@lid');
    expect(normalizeJid('123:2@lid')).toBe('123@lid');
    expect(normalizeJid('120363025246125486@g.us')).toBe('120363025246125486@g.us');
    expect(normalizeJid('garbage')).toBe('garbage');
  });

  it('classifies jids', () => {
    expect(isUserJid('15551234567:2@s.whatsapp.net')).toBe(true);
    expect(isUserJid('123@lid')).toBe(false);
    expect(isUserJid('120363025246125486@g.us')).toBe(false);
    expect(isGroupJid('120363025246125486@g.us')).toBe(true);
    expect(isGroupJid('15551234567@s.whatsapp.net')).toBe(false);
    expect(isLidJid('123@lid')).toBe(true);
    expect(isBroadcastJid('status@broadcast')).toBe(true);
    expect(isBroadcastJid('15551234567@s.whatsapp.net')).toBe(false);
  });
});
