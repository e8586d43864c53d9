/**
 * The bell in the header: the unread count, kept live by the server-sent-events stream, and a
 * panel listing the latest notifications, each marked read on its own or all at once.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../lib/dates';
import { badgeText, bellLabel, type Notification, subjectHref } from '../notifications/notificationCache';
import { useMarkAllRead, useMarkRead, useNotifications, useNotificationStream } from '../notifications/notificationData';
import { ErrorState, Loading, ProblemAlert } from '../ui/States';
import '../notifications/notifications.css';

export function NotificationsBell() {
  const id = useId();
  const [open, setOpen] = useState(false);
  const list = useNotifications();
  useNotificationStream(true);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const unread = list.data?.unread_count ?? 0;

  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onPointer = (event: PointerEvent) => {
      if (wrapper.current && !wrapper.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="bell" ref={wrapper}>
      <button
        ref={button}
        type="button"
        className="button button-quiet bell-button"
        aria-label={bellLabel(unread)}
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon />
        {unread > 0 ? (
          <span className="bell-badge" aria-hidden="true">
            {badgeText(unread)}
          </span>
        ) : null}
      </button>
      {open ? (
        <div id={`${id}-panel`} ref={panel} className="bell-panel" role="region" aria-labelledby={`${id}-title`} tabIndex={-1}>
          <NotificationsPanel titleId={`${id}-title`} onNavigate={() => setOpen(false)} />
        </div>
      ) : null}
    </div>
  );
}

function NotificationsPanel({ titleId, onNavigate }: { titleId: string; onNavigate: () => void }) {
  const list = useNotifications();
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const unread = list.data?.unread_count ?? 0;
  return (
    <>
      <div className="bell-panel-header">
        <h2 id={titleId}>Notifications</h2>
        <button type="button" className="button button-small" disabled={unread === 0 || markAll.isPending} onClick={() => markAll.mutate()}>
          Mark all read
        </button>
      </div>
      <ProblemAlert error={markRead.error ?? markAll.error} />
      {list.isPending ? (
        <Loading label="Loading notifications…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p className="state">No notifications yet. Reminders and automation alerts show up here.</p>
      ) : (
        <ul className="bell-list">
          {list.data.items.map((n) => (
            <NotificationItem key={n.id} notification={n} onRead={() => markRead.mutate(n.id)} onNavigate={onNavigate} />
          ))}
        </ul>
      )}
    </>
  );
}

function NotificationItem({
  notification: n,
  onRead,
  onNavigate,
}: {
  notification: Notification;
  onRead: () => void;
  onNavigate: () => void;
}) {
  const href = subjectHref(n);
  const titleId = `notification-${n.id}`;
  return (
    <li className={n.read_at ? 'bell-item' : 'bell-item bell-item-unread'} aria-labelledby={titleId}>
      <div className="bell-item-text">
        <div className="bell-item-title" id={titleId}>
          {n.read_at ? null : <span className="visually-hidden">Unread: </span>}
          {href ? (
            <Link
              to={href}
              onClick={() => {
                if (!n.read_at) onRead();
                onNavigate();
              }}
            >
              {n.title}
            </Link>
          ) : (
            n.title
          )}
        </div>
        {n.body ? <div className="bell-item-body">{n.body}</div> : null}
        <div className="muted bell-item-time">{formatDateTime(n.created_at)}</div>
      </div>
      {n.read_at ? null : (
        <button type="button" className="button button-small button-quiet" aria-describedby={titleId} onClick={onRead}>
          Mark read
        </button>
      )}
    </li>
  );
}

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}
