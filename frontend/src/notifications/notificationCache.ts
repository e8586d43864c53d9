/**
 * The bell's cached page of notifications, changed in place as events arrive and as things are
 * read, so the count and the list move at once (the server's answer then confirms them).
 */
import type { components } from '../api/schema';

export type NotificationPage = components['schemas']['NotificationPage'];
export type Notification = NotificationPage['items'][number];

/** A new notification from the stream: on top, counted once however often it is delivered. */
export function withIncoming(page: NotificationPage, incoming: Notification): NotificationPage {
  if (page.items.some((n) => n.id === incoming.id)) return page;
  return {
    ...page,
    items: [incoming, ...page.items],
    unread_count: page.unread_count + (incoming.read_at ? 0 : 1),
  };
}

export function withRead(page: NotificationPage, id: string, at: string): NotificationPage {
  const target = page.items.find((n) => n.id === id);
  if (!target || target.read_at) return page;
  return {
    ...page,
    items: page.items.map((n) => (n.id === id ? { ...n, read_at: at } : n)),
    unread_count: Math.max(0, page.unread_count - 1),
  };
}

export function withAllRead(page: NotificationPage, at: string): NotificationPage {
  return { ...page, items: page.items.map((n) => (n.read_at ? n : { ...n, read_at: at })), unread_count: 0 };
}

/** The badge: nothing at zero, "99+" past 99. */
export function badgeText(unread: number): string {
  if (unread <= 0) return '';
  return unread > 99 ? '99+' : String(unread);
}

/** The bell button's accessible name. */
export function bellLabel(unread: number): string {
  return unread === 0 ? 'Notifications' : `Notifications, ${unread} unread`;
}

/** Where a notification leads, when it is about something with a page of its own. */
export function subjectHref(n: Pick<Notification, 'subject_type' | 'subject_id'>): string | null {
  if (!n.subject_id) return null;
  switch (n.subject_type) {
    case 'deal':
      return `/deals/${n.subject_id}`;
    case 'contact':
      return `/contacts/${n.subject_id}`;
    case 'account':
      return `/accounts/${n.subject_id}`;
    case 'activity':
    case 'task':
      return '/today';
    default:
      return null;
  }
}

/** Reconnect delay after the stream closed for good: 1 s, 2 s, 4 s ... at most 30 s. */
export function reconnectDelay(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}

/** An event's `data`, if it is a notification. */
export function parseNotification(data: string): Notification | null {
  try {
    const value: unknown = JSON.parse(data);
    if (
      value &&
      typeof value === 'object' &&
      typeof (value as Notification).id === 'string' &&
      typeof (value as Notification).title === 'string'
    ) {
      return value as Notification;
    }
  } catch {
    // a malformed event is ignored; the next refetch has the truth
  }
  return null;
}
