/** Picking a lost reason from the workspace's list; "Other" asks for the words behind it. */
import { useId } from 'react';
import { useLostReasons } from '../settings/customFieldsData';

export type LostReasonChoice = { reason: string; detail: string };

export function LostReasonPicker({ value, onChange }: { value: LostReasonChoice; onChange: (next: LostReasonChoice) => void }) {
  const id = useId();
  const reasons = useLostReasons();
  const items = reasons.data?.items ?? [];
  const other = items.find((r) => r.other);
  return (
    <>
      <label htmlFor={`${id}-reason`}>Lost reason</label>
      <select id={`${id}-reason`} required value={value.reason} onChange={(e) => onChange({ ...value, reason: e.target.value })}>
        <option value="">Choose…</option>
        {items.map((r) => (
          <option key={r.id} value={r.label}>
            {r.label}
          </option>
        ))}
      </select>
      {other && value.reason === other.label ? (
        <>
          <label htmlFor={`${id}-detail`}>Why</label>
          <input
            id={`${id}-detail`}
            required
            maxLength={1000}
            value={value.detail}
            onChange={(e) => onChange({ ...value, detail: e.target.value })}
          />
        </>
      ) : null}
    </>
  );
}
