/**
 * Required fields (hygiene): per kind of record, rules that read "one of these fields". Creates
 * and updates without them are refused (422); import rows without them fail.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import { fieldLabel } from '../api/problem';
import type { ResponseOf } from '../api/types';
import { QueryGate, SaveError, useIsAdmin } from './access';
import { settingsKeys } from './settingsKeys';

type Rules = ResponseOf<'/api/v1/settings/required-fields'>;
type Kind = keyof Rules;

/** What the API lets each kind require (domain/hygiene/required_fields.py REQUIRABLE). */
export const REQUIRABLE: Record<Kind, string[]> = {
  contacts: ['first_name', 'last_name', 'email', 'phone', 'title', 'account_id', 'owner_id', 'source'],
  accounts: ['domain', 'website', 'industry', 'phone', 'owner_id'],
  deals: ['amount', 'expected_close_date', 'account_id', 'contact_ids', 'owner_id', 'source'],
};
const KIND_TITLES: Record<Kind, string> = { contacts: 'Contacts', accounts: 'Accounts', deals: 'Deals' };
const KINDS: Kind[] = ['contacts', 'accounts', 'deals'];

/** "email or phone". */
export function describeRule(rule: string[]): string {
  return rule.map(fieldLabel).join(' or ');
}

export function RequiredFieldsSettings() {
  const rules = useQuery({ queryKey: settingsKeys.requiredFields, queryFn: () => unwrap(api.GET('/api/v1/settings/required-fields')) });
  return (
    <>
      <p className="muted">
        Each rule reads “one of these”: a record missing all of a rule’s fields is refused, and import rows without them fail. Stages can
        require deal fields too (see Pipelines).
      </p>
      <QueryGate query={rules} what="required fields">
        {() => <RulesEditor saved={rules.data!} />}
      </QueryGate>
    </>
  );
}

function RulesEditor({ saved }: { saved: Rules }) {
  const admin = useIsAdmin();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Rules>(saved);
  const [done, setDone] = useState(false);
  useEffect(() => setDraft(saved), [saved]);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/settings/required-fields', { body: draft })),
    onSuccess: (rules) => {
      queryClient.setQueryData(settingsKeys.requiredFields, rules);
      setDone(true);
    },
  });
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  return (
    <form
      className="settings-form"
      aria-label="Required fields"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(false);
        save.mutate();
      }}
    >
      {KINDS.map((kind) => (
        <KindRules
          key={kind}
          kind={kind}
          rules={draft[kind]}
          editable={admin}
          onChange={(rules) => {
            setDone(false);
            setDraft({ ...draft, [kind]: rules });
          }}
        />
      ))}
      {admin ? (
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending || !dirty}>
            Save required fields
          </button>
          {done && !dirty ? (
            <span className="form-done" role="status">
              Saved
            </span>
          ) : null}
        </div>
      ) : null}
      <SaveError error={save.error} />
    </form>
  );
}

function KindRules({
  kind,
  rules,
  editable,
  onChange,
}: {
  kind: Kind;
  rules: string[][];
  editable: boolean;
  onChange: (rules: string[][]) => void;
}) {
  const id = useId();
  const [picked, setPicked] = useState<string[]>([]);
  const title = KIND_TITLES[kind];
  return (
    <section className="settings-block" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {rules.length === 0 ? (
        <p className="muted">Nothing is required.</p>
      ) : (
        <ul className="plain-list" aria-label={`${title} rules`}>
          {rules.map((rule, index) => (
            <li key={rule.join('|')} className="settings-row">
              <span>Requires {describeRule(rule)}</span>
              {editable ? (
                <button
                  type="button"
                  className="button button-quiet button-small"
                  aria-label={`Remove rule ${describeRule(rule)} from ${title.toLowerCase()}`}
                  onClick={() => onChange(rules.filter((_, i) => i !== index))}
                >
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {editable ? (
        <fieldset className="checkbox-group">
          <legend>New rule for {title.toLowerCase()}: one of</legend>
          {REQUIRABLE[kind].map((f) => (
            <label key={f}>
              <input
                type="checkbox"
                checked={picked.includes(f)}
                onChange={(e) => setPicked(e.target.checked ? [...picked, f] : picked.filter((x) => x !== f))}
              />{' '}
              {fieldLabel(f)}
            </label>
          ))}
          <button
            type="button"
            className="button button-small"
            disabled={picked.length === 0}
            onClick={() => {
              onChange([...rules, picked]);
              setPicked([]);
            }}
          >
            Add rule<span className="visually-hidden"> for {title.toLowerCase()}</span>
          </button>
        </fieldset>
      ) : null}
    </section>
  );
}
