/** /accounts/:accountId: an account's fields (edited in place), its people and deals, timeline. */
import { DeleteRecordButton } from '../trash/DeleteRecordButton';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ActivityForm } from '../activities/ActivityForm';
import { Timeline } from '../activities/Timeline';
import { api, unwrap } from '../api/client';
import { isApiError } from '../api/problem';
import type { Account } from '../api/types';
import { contactName } from '../contacts/contactData';
import { formatDateTime } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { MemberName } from '../shell/MemberName';
import { EditableField } from '../ui/EditableField';
import { ErrorState, Loading } from '../ui/States';
import { useAccount, useUpdateAccount } from './accountData';

export function AccountPage() {
  const { accountId = '' } = useParams();
  const account = useAccount(accountId);
  if (account.isPending) return <Loading label="Loading the account…" />;
  if (account.isError) {
    const gone = isApiError(account.error) && account.error.status === 404;
    return (
      <section className="page">
        <h1>{gone ? 'Account not found' : 'Account'}</h1>
        <ErrorState error={account.error} onRetry={gone ? undefined : () => void account.refetch()} />
        <p>
          <Link to="/accounts">Back to accounts</Link>
        </p>
      </section>
    );
  }
  return <AccountView account={account.data} />;
}

function AccountView({ account }: { account: Account }) {
  const update = useUpdateAccount(account);
  const save = (field: string) => (value: string) => update.mutateAsync({ [field]: value === '' ? null : value });
  const fields: [string, string][] = [
    ['domain', 'Domain'],
    ['industry', 'Industry'],
  ];
  return (
    <section className="page record-page" aria-labelledby="account-title">
      <p className="breadcrumb">
        <Link to="/accounts">Accounts</Link> / Account
      </p>
      <div className="page-header">
        <title>{`${account.name} · Rapport`}</title>
        <h1 id="account-title">{account.name}</h1>
        <DeleteRecordButton object="accounts" id={account.id} name={account.name} noun="account" />
      </div>
      <div className="record-layout">
        <div className="record-side">
          <section className="record-fields" aria-label="Account details">
            <dl>
              <EditableField
                label="Name"
                value={account.name}
                display={account.name}
                required
                onSave={(v) => update.mutateAsync({ name: v })}
              />
              {fields.map(([field, label]) => {
                const value = (account as Record<string, unknown>)[field];
                const v = typeof value === 'string' ? value : '';
                return <EditableField key={field} label={label} value={v} display={v || '—'} onSave={save(field)} />;
              })}
              <div className="editable">
                <dt>Owner</dt>
                <dd>
                  <MemberName id={account.owner_id} />
                </dd>
              </div>
              <div className="editable">
                <dt>Created</dt>
                <dd>{formatDateTime(account.created_at)}</dd>
              </div>
            </dl>
          </section>
          <AccountPeople accountId={account.id} />
          <AccountDeals accountId={account.id} />
        </div>
        <div className="record-activity">
          <ActivityForm subject="accounts" id={account.id} />
          <Timeline subject="accounts" id={account.id} />
        </div>
      </div>
    </section>
  );
}

function AccountPeople({ accountId }: { accountId: string }) {
  const people = useQuery({
    queryKey: ['contacts', 'account', accountId],
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { account_id: accountId, limit: 50 } } })),
  });
  return (
    <section className="related" aria-labelledby={`people-${accountId}`}>
      <h2 id={`people-${accountId}`}>People</h2>
      {people.isPending ? (
        <Loading />
      ) : people.isError ? (
        <ErrorState error={people.error} />
      ) : people.data.items.length === 0 ? (
        <p className="muted">No contacts at this account.</p>
      ) : (
        <ul className="plain-list">
          {people.data.items.map((c) => (
            <li key={c.id}>
              <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
              {c.title ? <span className="muted"> · {c.title}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AccountDeals({ accountId }: { accountId: string }) {
  const deals = useQuery({
    queryKey: ['deals', 'account', accountId],
    queryFn: () => unwrap(api.GET('/api/v1/deals', { params: { query: { account_id: accountId, limit: 50 } } })),
  });
  return (
    <section className="related" aria-labelledby={`deals-${accountId}`}>
      <h2 id={`deals-${accountId}`}>Deals</h2>
      {deals.isPending ? (
        <Loading />
      ) : deals.isError ? (
        <ErrorState error={deals.error} />
      ) : deals.data.items.length === 0 ? (
        <p className="muted">No deals with this account.</p>
      ) : (
        <ul className="plain-list">
          {deals.data.items.map((d) => (
            <li key={d.id}>
              <Link to={`/deals/${d.id}`}>{d.title}</Link>
              <span className="muted">
                {' '}
                · {formatMoney(d.amount ?? null, d.currency)} · {d.status}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
