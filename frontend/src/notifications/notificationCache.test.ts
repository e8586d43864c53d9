import { describe, expect, it } from 'vitest';
import {
  badgeText,
  bellLabel,
  type Notification,
  type NotificationPage,
  parseNotification,
  reconnectDelay,
  subjectHref,
  withAllRead,
  withIncoming,
  withRead,
} from './notificationCache';

const note = (id: string, read = false): Notification => ({
  id,
  type: 'automation',
  title: `Note ${id}`,
  body: null,
  subject_type: 'deal',
  subject_id: 'd1',
  created_at: '2026-11-23T10:00:00Z',
  read_at: read ? '2026-11-23T11:00:00Z' : null,
});
const page = (items: Notification[], unread: number): NotificationPage => ({ items, next_cursor: null, unread_count: unread });

describe('the bell’s cache', () => {
  it('puts a new notification on top and counts it once, however often the stream repeats it', () => {
    const once = withIncoming(page([note('a', true)], 0), note('b'));
    expect(once.items.map((n) => n.id)).toEqual(['b', 'a']);
    expect(once.unread_count).toBe(1);
    expect(withIncoming(once, note('b'))).toBe(once);
    expect(withIncoming(once, note('c', true)).unread_count).toBe(1);
  });

  it('marks one read and counts down, never below zero, and not twice', () => {
    const before = page([note('a'), note('b')], 2);
    const after = withRead(before, 'a', '2026-11-23T12:00:00Z');
    expect(after.unread_count).toBe(1);
    expect(after.items[0]!.read_at).toBe('2026-11-23T12:00:00Z');
    expect(withRead(after, 'a', 'later')).toBe(after);
    expect(withRead(page([note('a')], 0), 'a', 'now').unread_count).toBe(0);
  });

  it('marks all read, keeping earlier read times', () => {
    const after = withAllRead(page([note('a'), note('b', true)], 1), 'now');
    expect(after.unread_count).toBe(0);
    expect(after.items.map((n) => n.read_at)).toEqual(['now', '2026-11-23T11:00:00Z']);
  });
});

describe('the bell', () => {
  it('shows a count, capped, and says it to screen readers', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(120)).toBe('99+');
    expect(bellLabel(0)).toBe('Notifications');
    expect(bellLabel(3)).toBe('Notifications, 3 unread');
  });

  it('links a notification to what it is about', () => {
    expect(subjectHref({ subject_type: 'deal', subject_id: 'd1' })).toBe('/deals/d1');
    expect(subjectHref({ subject_type: 'contact', subject_id: 'c1' })).toBe('/contacts/c1');
    expect(subjectHref({ subject_type: 'activity', subject_id: 'a1' })).toBe('/today');
    expect(subjectHref({ subject_type: 'webhook', subject_id: 'w1' })).toBeNull();
    expect(subjectHref({ subject_type: 'deal', subject_id: null })).toBeNull();
  });

  it('backs off reconnecting, up to half a minute', () => {
    expect([1, 2, 3, 4, 10].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000, 30_000]);
  });

  it('reads an event’s data, ignoring what is not a notification', () => {
    expect(parseNotification(JSON.stringify(note('a')))?.id).toBe('a');
    expect(parseNotification('{"id": 1}')).toBeNull();
    expect(parseNotification('not json')).toBeNull();
  });
});
