/** A destructive button that asks once more in place (no modal): "Delete X now" or "Keep". */
import { useState } from 'react';

export function ConfirmButton({
  label,
  confirmLabel,
  busy = false,
  onConfirm,
}: {
  /** What the first button says to a screen reader: "Delete Chase idle deals". */
  label: string;
  /** The second, red button: "Delete Chase idle deals now". */
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    const [verb, ...rest] = label.split(' ');
    return (
      <button type="button" className="button button-quiet button-small" onClick={() => setAsking(true)}>
        {verb}
        {rest.length > 0 ? <span className="visually-hidden"> {rest.join(' ')}</span> : null}
      </button>
    );
  }
  return (
    <span className="form-actions">
      <button type="button" className="button button-danger button-small" disabled={busy} onClick={onConfirm} autoFocus>
        {confirmLabel}
      </button>
      <button type="button" className="button button-quiet button-small" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
