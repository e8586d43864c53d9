/**
 * Outbound webhooks: subscriptions (URL, event types, signing secret), their delivery log, test
 * fires, redeliveries, switching off and on, and a new secret when the old one leaked.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, ifMatch, unwrap } from '../api/client';
import { ApiError, isApiError } from '../api/problem';
import type { ResponseOf } from '../api/types';
import { formatDateTime } from '../lib/dates';
import { Empty } from '../ui/States';
import { CodeBlock } from './CopyButton';
import { ConfirmButton } from './ConfirmButton';
import { QueryGate, SaveError, useIsAdmin } from './access';
import { settingsKeys } from './settingsKeys';

type Webhook = ResponseOf<'/api/v1/webhooks/{webhook_id}'>;

/** The event types a subscription may name (docs/api.md, Webhooks); `deal.*` and `*` work too. */
export const WEBHOOK_EVENTS = [
  'deal.created',
  'deal.updated',
  'deal.stage_changed',
  'deal.won',
  'deal.lost',
  'deal.deleted',
  'contact.created',
  'contact.updated',
  'contact.merged',
  'contact.deleted',
  'contact.created_from_form',
  'account.created',
  'account.updated',
  'account.merged',
  'account.deleted',
  'activity.created',
  'activity.updated',
  'activity.completed',
  'activity.deleted',
  'form.submitted',
];

/** Ticked event types plus any typed ones (comma or space separated), without repeats. */
export function webhookEvents(ticked: string[], typed: string): string[] {
  const extra = typed
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter(Boolean);
  return [...new Set([...ticked, ...extra])];
}

function explainStale(error: unknown): unknown {
  if (isApiError(error) && error.status === 412) {
    return new ApiError(412, { ...error.problem, detail: 'This webhook was changed meanwhile; it has been reloaded, so try again.' });
  }
  return error;
}

export function WebhooksSettings() {
  const admin = useIsAdmin();
  const webhooks = useQuery({ queryKey: settingsKeys.webhooks, queryFn: () => unwrap(api.GET('/api/v1/webhooks')), enabled: admin });
  const [open, setOpen] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ id: string; url: string; secret: string } | null>(null);

  if (!admin) {
    return (
      <p className="note" role="note">
        Only admins can see and change webhooks.
      </p>
    );
  }
  return (
    <>
      <p className="muted">
        Each delivery is a signed JSON POST (<code>Rapport-Signature: t=…,v1=…</code>, HMAC-SHA256 with the subscription’s secret), retried
        for a day.
      </p>
      <NewWebhook onCreated={(w) => setSecret({ id: w.id, url: w.url, secret: w.secret })} />
      {secret ? <SecretOnce {...secret} onDone={() => setSecret(null)} /> : null}
      <QueryGate query={webhooks} what="webhooks">
        {() =>
          webhooks.data!.items.length === 0 ? (
            <Empty title="No webhooks yet." />
          ) : (
            <ul className="plain-list webhook-list" aria-label="Webhooks">
              {webhooks.data!.items.map((w) => (
                <WebhookItem
                  key={w.id}
                  webhook={w}
                  expanded={open === w.id}
                  onToggle={() => setOpen(open === w.id ? null : w.id)}
                  onNewSecret={(s) => setSecret({ id: w.id, url: w.url, secret: s })}
                />
              ))}
            </ul>
          )
        }
      </QueryGate>
    </>
  );
}

function SecretOnce({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  return (
    <div className="alert alert-ok secret-once" role="region" aria-label="Webhook signing secret">
      <p>
        Signing secret for <strong>{url}</strong>: put it in your receiver now to check signatures.
      </p>
      <CodeBlock code={secret} label="Signing secret" />
      <button type="button" className="button button-small" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

function NewWebhook({ onCreated }: { onCreated: (w: Webhook) => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [ticked, setTicked] = useState<string[]>(['deal.won']);
  const [typed, setTyped] = useState('');
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/webhooks', {
          body: {
            url: url.trim(),
            events: webhookEvents(ticked, typed),
            active: true,
            ...(description.trim() ? { description: description.trim() } : {}),
          },
        }),
      ),
    onSuccess: (w) => {
      onCreated(w);
      setOpen(false);
      setUrl('');
      setDescription('');
      setTyped('');
      void queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks });
    },
  });
  if (!open) {
    return (
      <button type="button" className="button button-primary" onClick={() => setOpen(true)}>
        New webhook
      </button>
    );
  }
  return (
    <form
      className="settings-form"
      aria-label="New webhook"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-url`}>Endpoint URL</label>
        <input
          id={`${id}-url`}
          type="url"
          required
          maxLength={2000}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://example.com/hooks/rapport"
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <input id={`${id}-description`} maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <fieldset className="checkbox-group">
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((ev) => (
          <label key={ev}>
            <input
              type="checkbox"
              checked={ticked.includes(ev)}
              onChange={(e) => setTicked(e.target.checked ? [...ticked, ev] : ticked.filter((x) => x !== ev))}
            />{' '}
            {ev}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-typed`}>Other events (e.g. deal.* or *)</label>
        <input id={`${id}-typed`} value={typed} onChange={(e) => setTyped(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create webhook
        </button>
        <button type="button" className="button button-quiet" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <SaveError error={create.error} />
    </form>
  );
}

function WebhookItem({
  webhook,
  expanded,
  onToggle,
  onNewSecret,
}: {
  webhook: Webhook;
  expanded: boolean;
  onToggle: () => void;
  onNewSecret: (secret: string) => void;
}) {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks });
  const patch = useMutation({
    mutationFn: async (body: { active?: boolean; secret?: null }) => {
      try {
        return await unwrap(
          api.PATCH('/api/v1/webhooks/{webhook_id}', {
            params: { path: { webhook_id: webhook.id } },
            body,
            headers: ifMatch(webhook.version),
          }),
        );
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSuccess: (updated, body) => {
      if ('secret' in body) onNewSecret(updated.secret);
    },
    onSettled: refresh,
  });
  const test = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhooks/{webhook_id}/test', { params: { path: { webhook_id: webhook.id } } })),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.deliveries(webhook.id) }),
  });
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: webhook.id } }, headers: ifMatch(webhook.version) }),
      ),
    onSettled: refresh,
  });
  const status = webhook.active ? 'Active' : webhook.disabled_at ? `Switched off after failures: ${webhook.disabled_reason ?? ''}` : 'Off';
  return (
    <li className="settings-item" aria-label={webhook.url}>
      <div className="settings-row">
        <span>
          <strong className="break">{webhook.url}</strong>
          {webhook.description ? <span className="muted"> — {webhook.description}</span> : null}
          <br />
          <span className="muted">
            {webhook.events.join(', ')} · {status}
            {webhook.consecutive_failures > 0 ? ` · ${webhook.consecutive_failures} failures in a row` : ''}
          </span>
        </span>
        <span className="form-actions">
          <button type="button" className="button button-small" aria-expanded={expanded} onClick={onToggle}>
            Deliveries<span className="visually-hidden"> to {webhook.url}</span>
          </button>
          <button type="button" className="button button-small" disabled={test.isPending} onClick={() => test.mutate()}>
            Send test<span className="visually-hidden"> to {webhook.url}</span>
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={patch.isPending}
            onClick={() => patch.mutate({ active: !webhook.active })}
          >
            {webhook.active ? 'Disable' : 'Enable'}
            <span className="visually-hidden"> {webhook.url}</span>
          </button>
          <button type="button" className="button button-small" disabled={patch.isPending} onClick={() => patch.mutate({ secret: null })}>
            Rotate secret<span className="visually-hidden"> of {webhook.url}</span>
          </button>
          <ConfirmButton
            label={`Delete ${webhook.url}`}
            confirmLabel="Delete this webhook now"
            busy={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        </span>
      </div>
      {test.isSuccess ? (
        <p role="status" className="form-done">
          Test event queued.
        </p>
      ) : null}
      <SaveError error={patch.error ?? test.error ?? remove.error} />
      {expanded ? <Deliveries webhookId={webhook.id} /> : null}
    </li>
  );
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: settingsKeys.deliveries(webhookId),
    queryFn: () =>
      unwrap(api.GET('/api/v1/webhooks/{webhook_id}/deliveries', { params: { path: { webhook_id: webhookId }, query: { limit: 50 } } })),
  });
  const redeliver = useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver', {
          params: { path: { webhook_id: webhookId, delivery_id: deliveryId } },
        }),
      ),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.deliveries(webhookId) }),
  });
  return (
    <QueryGate query={deliveries} what="deliveries">
      {() =>
        deliveries.data!.items.length === 0 ? (
          <Empty title="Nothing has been delivered yet." />
        ) : (
          <div className="table-wrap">
            <table className="records" aria-label="Deliveries">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data!.items.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">{d.event_type}</th>
                    <td>{d.status}</td>
                    <td>{d.attempts}</td>
                    <td>{d.response_status ?? d.error ?? '—'}</td>
                    <td>{formatDateTime(d.created_at)}</td>
                    <td>
                      <button
                        type="button"
                        className="button button-quiet button-small"
                        disabled={redeliver.isPending}
                        onClick={() => redeliver.mutate(d.id)}
                      >
                        Redeliver<span className="visually-hidden"> {d.event_type}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <SaveError error={redeliver.error} />
          </div>
        )
      }
    </QueryGate>
  );
}
