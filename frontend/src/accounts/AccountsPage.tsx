/** /accounts: search, page through and add accounts. */
import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import type { Account } from '../api/types';
import { RecordListPage } from '../ui/RecordListPage';
import { ProblemAlert } from '../ui/States';
import { useAccounts, useCreateAccount } from './accountData';

export function AccountsPage() {
  return (
    <RecordListPage<Account>
      title="Accounts"
      noun="accounts"
      useList={useAccounts}
      rowHeader={{ header: 'Name', cell: (a) => <Link to={`/accounts/${a.id}`}>{a.name}</Link> }}
      columns={[
        { header: 'Domain', cell: (a) => a.domain },
        { header: 'Industry', cell: (a) => a.industry },
      ]}
      views={{
        object: 'accounts',
        sortOptions: [
          ['name', 'Name A–Z'],
          ['-name', 'Name Z–A'],
          ['created_at', 'Oldest first'],
          ['-updated_at', 'Recently updated'],
        ],
      }}
      newLabel="New account"
      renderNewForm={(close) => <NewAccountForm onDone={close} />}
    />
  );
}

function NewAccountForm({ onDone }: { onDone: () => void }) {
  const id = useId();
  const create = useCreateAccount();
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name: name.trim(), ...(domain.trim() ? { domain: domain.trim() } : {}) }, { onSuccess: onDone });
  }

  return (
    <form className="card-form" onSubmit={submit} aria-label="New account">
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-domain`}>Domain</label>
          <input id={`${id}-domain`} value={domain} placeholder="example.com" onChange={(e) => setDomain(e.target.value)} />
        </div>
      </div>
      <ProblemAlert error={create.error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Add account
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
