import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../local/event-pattern.js';
import { EVENT_RULES } from '../../../shared/definitions/event-rules.js';

const event = {
  version: '0',
  id: '01J0000000000000000000000',
  'detail-type': 'message.status',
  source: 'wa-platform',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::a', 'arn:aws:s3:::b'],
  detail: {
    tenantId: 'ten_1',
    sessionId: 'ses_1',
    data: { status: 'delivered', attempts: 3, tags: ['vip', 'eu'], nothing: null, nested: { deep: true } },
  },
};

describe('matchesPattern', () => {
  it('matches exact values, with the listed values as alternatives', () => {
    expect(matchesPattern({ source: ['wa-platform'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['other', 'wa-platform'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['other'] }, event)).toBe(false);
  });

  it('requires every field (AND) and matches nested objects', () => {
    expect(matchesPattern({ source: ['wa-platform'], detail: { tenantId: ['ten_1'] } }, event)).toBe(true);
    expect(matchesPattern({ source: ['wa-platform'], detail: { tenantId: ['ten_2'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { data: { nested: { deep: [true] } } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { data: { nested: { deep: [false] } } } }, event)).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    expect(matchesPattern({ resources: ['arn:aws:s3:::b'] }, event)).toBe(true);
    expect(matchesPattern({ detail: { data: { tags: ['eu'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { data: { tags: ['us'] } } }, event)).toBe(false);
  });

  it('compares numbers by value and never equates strings with numbers', () => {
    expect(matchesPattern({ detail: { data: { attempts: [3] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { data: { attempts: [3.0] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { data: { attempts: ['3'] } } }, event)).toBe(false);
  });

  it('matches null only against null', () => {
    expect(matchesPattern({ detail: { data: { nothing: [null] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { data: { status: [null] } } }, event)).toBe(false);
  });

  it('supports prefix and suffix on strings only', () => {
    expect(matchesPattern({ 'detail-type': [{ prefix: 'message.' }] }, event)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ prefix: 'session.' }] }, event)).toBe(false);
    expect(matchesPattern({ 'detail-type': [{ suffix: '.status' }] }, event)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ suffix: '.received' }] }, event)).toBe(false);
    expect(matchesPattern({ detail: { data: { attempts: [{ prefix: '3' }] } } }, event)).toBe(false);
  });

  it('supports anything-but with a single value or a list, never matching a missing field', () => {
    expect(matchesPattern({ detail: { data: { status: [{ 'anything-but': 'read' }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { data: { status: [{ 'anything-but': 'delivered' }] } } }, event)).toBe(
      false,
    );
    expect(
      matchesPattern({ detail: { data: { status: [{ 'anything-but': ['read', 'sent'] }] } } }, event),
    ).toBe(true);
    expect(
      matchesPattern({ detail: { data: { status: [{ 'anything-but': ['read', 'delivered'] }] } } }, event),
    ).toBe(false);
    expect(matchesPattern({ detail: { data: { attempts: [{ 'anything-but': [1, 2] }] } } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  it('supports exists on leaves, including missing parents', () => {
    expect(matchesPattern({ detail: { sessionId: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { sessionId: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { phone: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { phone: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ nowhere: { deeper: [{ exists: false }] } }, event)).toBe(true);
    // exists only applies to leaves: an object-valued field is neither.
    expect(matchesPattern({ detail: { data: [{ exists: true }] } }, event)).toBe(false);
  });

  it('supports numeric ranges and equality', () => {
    const attempts = (numeric: (string | number)[]) => ({ detail: { data: { attempts: [{ numeric }] } } });
    expect(matchesPattern(attempts(['>', 0, '<=', 3]), event)).toBe(true);
    expect(matchesPattern(attempts(['>', 3]), event)).toBe(false);
    expect(matchesPattern(attempts(['>=', 3, '<', 4]), event)).toBe(true);
    expect(matchesPattern(attempts(['=', 3]), event)).toBe(true);
    expect(matchesPattern(attempts(['<', 3]), event)).toBe(false);
    expect(matchesPattern({ detail: { data: { status: [{ numeric: ['>', 0] }] } } }, event)).toBe(false);
    expect(matchesPattern(attempts(['!!', 3]), event)).toBe(false);
  });

  it('does not match a nested pattern against a leaf, nor a leaf pattern against an object', () => {
    expect(matchesPattern({ source: { deeper: ['x'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: ['x'] }, event)).toBe(false);
  });

  it('matches nothing but exists:false on a non-object event', () => {
    expect(matchesPattern({ source: ['wa-platform'] }, 'not an event')).toBe(false);
    expect(matchesPattern({ source: [{ exists: false }] }, null)).toBe(true);
  });

  it('lets the shared webhook fan-out rule take every domain event', () => {
    const fanout = EVENT_RULES.find((r) => r.ruleName === 'webhook-fanout');
    expect(fanout && matchesPattern(fanout.pattern, event)).toBe(true);
    expect(fanout && matchesPattern(fanout.pattern, { ...event, source: 'aws.s3' })).toBe(false);
  });
});
