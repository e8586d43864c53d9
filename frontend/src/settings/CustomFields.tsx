/**
 * Settings → Custom fields: the fields records carry beyond the built-in ones. Admins add, rename,
 * require and delete them (deleting asks the server how many values would go, then confirms);
 * members see the list.
 */
import { type FormEvent, useId, useState } from 'react';
import { isApiError } from '../api/problem';
import type { CustomField, CustomFieldObject, CustomFieldType } from '../api/types';
import { useMe } from '../auth/session';
import { ErrorState, errorText, Loading } from '../ui/States';
import { useCreateCustomField, useCustomFields, useDeleteCustomField, useUpdateCustomField } from './customFieldsData';

const OBJECTS: { value: CustomFieldObject; label: string }[] = [
  { value: 'deals', label: 'Deals' },
  { value: 'contacts', label: 'Contacts' },
  { value: 'accounts', label: 'Accounts' },
];

export const FIELD_TYPES: { value: CustomFieldType; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'money', label: 'Money' },
  { value: 'date', label: 'Date' },
  { value: 'bool', label: 'Yes / no' },
  { value: 'select', label: 'Pick one' },
  { value: 'multi_select', label: 'Pick several' },
  { value: 'url', label: 'Web address' },
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'Phone' },
];

const typeLabel = (type: CustomFieldType) => FIELD_TYPES.find((t) => t.value === type)?.label ?? type;

/** A key from a label: "Contract end" → "contract_end" (the key never changes afterwards). */
export function keyFromLabel(label: string): string {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return /^[a-z]/.test(key) ? key : key ? `f_${key}`.slice(0, 64) : '';
}

export function CustomFieldsSettings() {
  const id = useId();
  const me = useMe();
  const isAdmin = me.data?.role === 'admin';
  const [object, setObject] = useState<CustomFieldObject>('deals');
  const fields = useCustomFields(object);

  return (
    <div className="settings-block">
      <p className="muted">
        Fields your records carry beyond the built-in ones. A field&apos;s key never changes, so renaming keeps every value.
      </p>
      <div className="inline-form">
        <label htmlFor={`${id}-object`}>Fields of</label>
        <select id={`${id}-object`} value={object} onChange={(e) => setObject(e.target.value as CustomFieldObject)}>
          {OBJECTS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      {fields.isPending ? (
        <Loading />
      ) : fields.isError ? (
        <ErrorState error={fields.error} onRetry={() => void fields.refetch()} />
      ) : fields.data.items.length === 0 ? (
        <p className="muted">No custom fields on {object} yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="records" aria-label={`Custom fields of ${object}`}>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                {isAdmin ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {fields.data.items.map((field) => (
                <FieldRow key={field.id} field={field} editable={isAdmin} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {isAdmin ? <NewField object={object} /> : null}
    </div>
  );
}

function FieldRow({ field, editable }: { field: CustomField; editable: boolean }) {
  const update = useUpdateCustomField(field);
  const remove = useDeleteCustomField(field);
  const [renaming, setRenaming] = useState(false);
  const [label, setLabel] = useState(field.label);
  const [pendingDelete, setPendingDelete] = useState<string | null>(null);
  const id = useId();

  function rename(event: FormEvent) {
    event.preventDefault();
    if (!label.trim() || label.trim() === field.label) return setRenaming(false);
    update.mutate({ label: label.trim() }, { onSuccess: () => setRenaming(false) });
  }

  function askDelete() {
    remove.mutate(false, {
      onError: (error) => {
        // The server's 409 says how many records hold a value; the person confirms knowing that.
        if (isApiError(error) && error.status === 409) setPendingDelete(error.problem.detail ?? 'Delete this field?');
      },
    });
  }

  const failure = update.error ?? (remove.error && !(isApiError(remove.error) && remove.error.status === 409) ? remove.error : null);
  return (
    <tr>
      <th scope="row">
        {renaming ? (
          <form className="inline-form" onSubmit={rename}>
            <label htmlFor={`${id}-label`} className="visually-hidden">
              Label
            </label>
            <input id={`${id}-label`} value={label} onChange={(e) => setLabel(e.target.value)} autoFocus maxLength={200} />
            <button type="submit" className="button button-primary button-small" disabled={update.isPending}>
              Save
            </button>
            <button type="button" className="button button-quiet button-small" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          field.label
        )}
        {failure ? (
          <p className="field-error" role="alert">
            {errorText(failure)}
          </p>
        ) : null}
        {pendingDelete ? (
          <div role="alertdialog" aria-label={`Delete ${field.label}`} className="confirm">
            <p>{pendingDelete}</p>
            <button
              type="button"
              className="button button-danger button-small"
              onClick={() => remove.mutate(true)}
              disabled={remove.isPending}
            >
              Delete field and values
            </button>
            <button type="button" className="button button-quiet button-small" onClick={() => setPendingDelete(null)}>
              Keep it
            </button>
          </div>
        ) : null}
      </th>
      <td>
        <code>{field.key}</code>
      </td>
      <td>
        {typeLabel(field.type)}
        {field.options.length > 0 ? <span className="muted"> ({field.options.join(', ')})</span> : null}
      </td>
      <td>
        {editable ? (
          <input
            type="checkbox"
            aria-label={`${field.label} is required`}
            checked={field.required}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ required: e.target.checked })}
          />
        ) : field.required ? (
          'Yes'
        ) : (
          'No'
        )}
      </td>
      {editable ? (
        <td>
          <button
            type="button"
            className="button button-quiet button-small"
            aria-label={`Rename ${field.label}`}
            onClick={() => {
              setLabel(field.label);
              setRenaming(true);
            }}
          >
            Rename
          </button>
          <button type="button" className="button button-quiet button-small" aria-label={`Delete ${field.label}`} onClick={askDelete}>
            Delete
          </button>
        </td>
      ) : null}
    </tr>
  );
}

function NewField({ object }: { object: CustomFieldObject }) {
  const id = useId();
  const create = useCreateCustomField();
  const [label, setLabel] = useState('');
  const [type, setType] = useState<CustomFieldType>('text');
  const [options, setOptions] = useState('');
  const [required, setRequired] = useState(false);
  const withOptions = type === 'select' || type === 'multi_select';

  function submit(event: FormEvent) {
    event.preventDefault();
    const body = {
      object,
      key: keyFromLabel(label),
      label: label.trim(),
      type,
      required,
      ...(withOptions
        ? {
            options: options
              .split(/[;,\n]/)
              .map((o) => o.trim())
              .filter(Boolean),
          }
        : {}),
    };
    create.mutate(body, {
      onSuccess: () => {
        setLabel('');
        setOptions('');
        setRequired(false);
      },
    });
  }

  return (
    <form className="stacked-form" aria-label="Add a custom field" onSubmit={submit}>
      <h3>Add a field to {object}</h3>
      <label htmlFor={`${id}-label`}>Field label</label>
      <input id={`${id}-label`} required maxLength={200} value={label} onChange={(e) => setLabel(e.target.value)} />
      <label htmlFor={`${id}-type`}>Field type</label>
      <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as CustomFieldType)}>
        {FIELD_TYPES.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </select>
      {withOptions ? (
        <>
          <label htmlFor={`${id}-options`}>Options (separated by commas)</label>
          <input id={`${id}-options`} required value={options} onChange={(e) => setOptions(e.target.value)} />
        </>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Required
      </label>
      <button type="submit" className="button button-primary" disabled={create.isPending || !keyFromLabel(label)}>
        Add field
      </button>
      {create.error ? (
        <p className="field-error" role="alert">
          {errorText(create.error)}
        </p>
      ) : null}
    </form>
  );
}
