/** A field shown as text that turns into a small form to edit it in place. */
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { errorText } from './States';

type Option = { value: string; label: string };

type Props = {
  label: string;
  /** The value as the input holds it ('' for none). */
  value: string;
  /** The value as it reads when not editing. */
  display: ReactNode;
  type?: 'text' | 'date' | 'decimal' | 'email' | 'tel' | 'select';
  options?: Option[];
  required?: boolean;
  disabled?: boolean;
  /** Saves the new value ('' for none); a rejection is shown beside the field. */
  onSave: (value: string) => Promise<unknown>;
};

export function EditableField({ label, value, display, type = 'text', options = [], required = false, disabled = false, onSave }: Props) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  function start() {
    setDraft(value);
    setError(null);
    setEditing(true);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (draft === value) {
      setEditing(false);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await onSave(draft.trim());
      setEditing(false);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  }

  if (!editing) {
    return (
      <div className="editable">
        <dt>{label}</dt>
        <dd>
          <span className="editable-value">{display}</span>
          {!disabled ? (
            <button type="button" className="button button-quiet button-small" onClick={start} aria-label={`Edit ${label.toLowerCase()}`}>
              Edit
            </button>
          ) : null}
        </dd>
      </div>
    );
  }

  return (
    <div className="editable editable-editing">
      <dt>
        <label htmlFor={`${id}-input`}>{label}</label>
      </dt>
      <dd>
        <form className="inline-form" onSubmit={submit}>
          {type === 'select' ? (
            <select id={`${id}-input`} value={draft} onChange={(e) => setDraft(e.target.value)} autoFocus>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={`${id}-input`}
              type={type === 'decimal' ? 'text' : type}
              inputMode={type === 'decimal' ? 'decimal' : undefined}
              required={required}
              value={draft}
              autoFocus
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setEditing(false);
              }}
            />
          )}
          <button type="submit" className="button button-primary button-small" disabled={saving}>
            Save
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
        {error ? (
          <p className="field-error" id={`${id}-error`} role="alert">
            {errorText(error)}
          </p>
        ) : null}
      </dd>
    </div>
  );
}
