/** The toasts of ./toasts, announced politely; an action (Undo) runs once and closes its toast. */
import { useState } from 'react';
import { dismissToast, useToasts } from './toasts';
import { errorText } from './States';

export function Toasts() {
  const toasts = useToasts();
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div className="toast" role="status" key={toast.id}>
          <span>{toast.text}</span>
          {toast.action ? (
            <button
              type="button"
              className="button button-small"
              onClick={async () => {
                dismissToast(toast.id);
                try {
                  setFailure(null);
                  await toast.action?.run();
                } catch (error) {
                  setFailure(errorText(error));
                }
              }}
            >
              {toast.action.label}
            </button>
          ) : null}
          <button type="button" className="button button-quiet button-small" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
            ×
          </button>
        </div>
      ))}
      {failure ? (
        <div className="toast toast-error" role="alert">
          <span>{failure}</span>
          <button type="button" className="button button-quiet button-small" aria-label="Dismiss" onClick={() => setFailure(null)}>
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}
