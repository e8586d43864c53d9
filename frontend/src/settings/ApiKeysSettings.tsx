/** API keys for integrations: the secret is shown once, when the key is made; revoking is final. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import type { ResponseOf } from '../api/types';
import { formatDateTime } from '../lib/dates';
import { Empty } from '../ui/States';
import { CodeBlock } from './CopyButton';
import { QueryGate, SaveError, useIsAdmin } from './access';
import { settingsKeys } from './settingsKeys';

type CreatedKey = ResponseOf<'/api/v1/api-keys', 'post'>;

export function ApiKeysSettings() {
  const id = useId();
  const admin = useIsAdmin();
  const queryClient = useQueryClient();
  const keysList = useQuery({ queryKey: settingsKeys.apiKeys, queryFn: () => unwrap(api.GET('/api/v1/api-keys')), enabled: admin });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const create = useMutation({
    // Not retried with an Idempotency-Key on purpose: the API never replays a key's secret.
    mutationFn: () => unwrap(api.POST('/api/v1/api-keys', { body: { name: name.trim() } })),
    onSuccess: (key) => {
      setCreated(key);
      setName('');
      void queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys });
    },
  });
  const revoke = useMutation({
    mutationFn: (keyId: string) => unwrap(api.DELETE('/api/v1/api-keys/{key_id}', { params: { path: { key_id: keyId } } })),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });
  const [revoking, setRevoking] = useState<string | null>(null);

  if (!admin) {
    return (
      <p className="note" role="note">
        Only admins can see and make API keys.
      </p>
    );
  }

  return (
    <>
      <p className="muted">
        Integrations send a key as <code>Authorization: Bearer &lt;key&gt;</code> and act as the admin who made it.
      </p>
      <form
        className="inline-form"
        aria-label="New API key"
        onSubmit={(e) => {
          e.preventDefault();
          setCreated(null);
          create.mutate();
        }}
      >
        <label htmlFor={`${id}-name`}>Key name</label>
        <input id={`${id}-name`} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="Zapier" />
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create key
        </button>
      </form>
      <SaveError error={create.error} />
      {created ? (
        <div className="alert alert-ok secret-once" role="region" aria-label="New API key secret">
          <p>
            <strong>{created.name}</strong>: copy this key now. It is shown only once; Rapport keeps only a hash of it.
          </p>
          <CodeBlock code={created.key} label="API key secret" />
          <button type="button" className="button button-small" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      ) : null}
      <QueryGate query={keysList} what="API keys">
        {() =>
          keysList.data!.items.length === 0 ? (
            <Empty title="No API keys yet." />
          ) : (
            <div className="table-wrap">
              <table className="records" aria-label="API keys">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Starts with</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {keysList.data!.items.map((k) => (
                    <tr key={k.id}>
                      <th scope="row">{k.name}</th>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>{formatDateTime(k.created_at)}</td>
                      <td>{k.last_used_at ? formatDateTime(k.last_used_at) : 'Never'}</td>
                      <td>
                        {revoking === k.id ? (
                          <span className="form-actions">
                            <button
                              type="button"
                              className="button button-danger button-small"
                              disabled={revoke.isPending}
                              onClick={() => revoke.mutate(k.id)}
                            >
                              Revoke {k.name} now
                            </button>
                            <button type="button" className="button button-quiet button-small" onClick={() => setRevoking(null)}>
                              Keep
                            </button>
                          </span>
                        ) : (
                          <button
                            type="button"
                            className="button button-quiet button-small"
                            onClick={() => setRevoking(k.id)}
                            aria-label={`Revoke ${k.name}`}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryGate>
      <SaveError error={revoke.error} />
    </>
  );
}
