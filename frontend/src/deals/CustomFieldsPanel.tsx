/**
 * A deal's custom fields (as Settings defines them), each edited in place. A save patches only that
 * key (`custom_fields` merges key by key) with If-Match; the server's 422 (a value that does not
 * fit the field) shows beside it.
 */
import type { CustomField, Deal } from '../api/types';
import { isApiError } from '../api/problem';
import { formatDate } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { useCustomFields } from '../settings/customFieldsData';
import { EditableField } from '../ui/EditableField';
import { useUpdateDeal } from './dealData';

type Value = unknown;

/** The value as the input holds it ('' for none). */
export function inputValue(field: CustomField, value: Value): string {
  if (value === null || value === undefined) return '';
  if (field.type === 'bool') return value === true ? 'true' : value === false ? 'false' : '';
  if (Array.isArray(value)) return value.join('; ');
  return String(value);
}

/** The value as a person reads it. */
export function displayValue(field: CustomField, value: Value, currency: string): string {
  if (value === null || value === undefined || value === '') return '—';
  switch (field.type) {
    case 'bool':
      return value === true ? 'Yes' : value === false ? 'No' : String(value);
    case 'money':
      return formatMoney(String(value), currency);
    case 'date':
      return formatDate(String(value));
    case 'multi_select':
      return Array.isArray(value) ? value.join(', ') : String(value);
    default:
      return String(value);
  }
}

const INPUT_TYPE = {
  number: 'decimal',
  money: 'decimal',
  date: 'date',
  email: 'email',
  phone: 'tel',
  bool: 'select',
  select: 'select',
} as const;

function optionsOf(field: CustomField): { value: string; label: string }[] {
  if (field.type === 'bool') {
    return [
      { value: '', label: '—' },
      { value: 'true', label: 'Yes' },
      { value: 'false', label: 'No' },
    ];
  }
  return [{ value: '', label: '—' }, ...field.options.map((o) => ({ value: o, label: o }))];
}

/** What to send for the typed text ('' clears the value). */
export function patchValue(field: CustomField, text: string): Value {
  if (text === '') return null;
  if (field.type === 'bool') return text === 'true';
  if (field.type === 'multi_select')
    return text
      .split(/[;,]/)
      .map((o) => o.trim())
      .filter(Boolean);
  return text;
}

export function CustomFieldsPanel({ deal }: { deal: Deal }) {
  const fields = useCustomFields('deals');
  const update = useUpdateDeal(deal);
  if (!fields.data || fields.data.items.length === 0) return null;
  const values = deal.custom_fields as Record<string, Value>;

  return (
    <>
      {fields.data.items.map((field) => (
        <EditableField
          key={field.id}
          label={field.label}
          type={field.type in INPUT_TYPE ? INPUT_TYPE[field.type as keyof typeof INPUT_TYPE] : 'text'}
          options={optionsOf(field)}
          value={inputValue(field, values[field.key])}
          display={displayValue(field, values[field.key], deal.currency)}
          required={field.required}
          onSave={async (text) => {
            try {
              return await update.mutateAsync({ custom_fields: { [field.key]: patchValue(field, text) } });
            } catch (error) {
              // The field's own message ("Seats expects a number, not 'lots'") reads best here.
              const own = isApiError(error) ? error.problem.errors?.find((e) => e.loc.at(-1) === field.key) : undefined;
              throw own ? new Error(own.msg) : error;
            }
          }}
        />
      ))}
    </>
  );
}
