/** "+ Add deal" at the foot of a column: a title and an amount, created straight into that stage. */
import { type FormEvent, useId, useState } from 'react';
import { fieldErrors, isApiError } from '../api/problem';
import { parseAmountInput } from '../lib/money';
import { ProblemAlert } from '../ui/States';
import { useCreateDeal } from './boardData';

export function QuickAddDeal({ stageId, stageName, pipelineId }: { stageId: string; stageName: string; pipelineId: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [amountInvalid, setAmountInvalid] = useState(false);
  const create = useCreateDeal();
  const errors = isApiError(create.error) ? fieldErrors(create.error.problem) : {};

  if (!open) {
    return (
      <button type="button" className="button button-quiet add-deal" onClick={() => setOpen(true)}>
        + Add deal
      </button>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = amount.trim() === '' ? null : parseAmountInput(amount);
    if (amount.trim() !== '' && parsed === null) {
      setAmountInvalid(true);
      return;
    }
    setAmountInvalid(false);
    create.mutate(
      { title: title.trim(), amount: parsed, stageId, pipelineId },
      {
        onSuccess: () => {
          setTitle('');
          setAmount('');
          setOpen(false);
          create.reset();
        },
      },
    );
  }

  return (
    <form className="quick-add" onSubmit={submit} aria-label={`New deal in ${stageName}`}>
      <div className="field">
        <label htmlFor={`${id}-title`}>Title</label>
        <input
          id={`${id}-title`}
          required
          autoFocus
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          aria-invalid={errors.title ? true : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-amount`}>Amount</label>
        <input
          id={`${id}-amount`}
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          aria-invalid={amountInvalid || errors.amount ? true : undefined}
          aria-describedby={amountInvalid ? `${id}-amount-error` : undefined}
        />
        {amountInvalid ? (
          <p className="field-error" id={`${id}-amount-error`}>
            Enter a number, like 1500 or 1500.50
          </p>
        ) : null}
      </div>
      <ProblemAlert error={create.error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Add
        </button>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setOpen(false);
            create.reset();
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
