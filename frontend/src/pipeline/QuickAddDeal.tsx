/**
 * "+ Add deal" at the foot of a column: a title and an amount, created straight into that stage.
 * A stage that requires more (a close date, a source) gets those fields too, so the form can
 * always succeed; one that requires links (an account, contacts) sends people to the full form.
 */
import { type FormEvent, useId, useState } from 'react';
import { fieldErrors, isApiError } from '../api/problem';
import { parseAmountInput } from '../lib/money';
import { ProblemAlert } from '../ui/States';
import { useCreateDeal } from './boardData';

/** Required fields this small form cannot collect. */
const NEEDS_FULL_FORM = ['account_id', 'contact_ids'];

export function QuickAddDeal({
  stageId,
  stageName,
  pipelineId,
  requiredFields = [],
}: {
  stageId: string;
  stageName: string;
  pipelineId: string;
  requiredFields?: string[];
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [closeDate, setCloseDate] = useState('');
  const [source, setSource] = useState('');
  const needsAmount = requiredFields.includes('amount');
  const needsCloseDate = requiredFields.includes('expected_close_date');
  const needsSource = requiredFields.includes('source');
  const [amountInvalid, setAmountInvalid] = useState(false);
  const create = useCreateDeal();
  const errors = isApiError(create.error) ? fieldErrors(create.error.problem) : {};

  if (requiredFields.some((field) => NEEDS_FULL_FORM.includes(field))) {
    return <p className="board-hint add-deal">Deals enter {stageName} with an account or contacts linked: add them in an earlier stage.</p>;
  }

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
      {
        title: title.trim(),
        amount: parsed,
        stageId,
        pipelineId,
        ...(closeDate ? { expectedCloseDate: closeDate } : {}),
        ...(source.trim() ? { source: source.trim() } : {}),
      },
      {
        onSuccess: () => {
          setTitle('');
          setAmount('');
          setCloseDate('');
          setSource('');
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
          required={needsAmount}
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
      {needsCloseDate ? (
        <div className="field">
          <label htmlFor={`${id}-close`}>Expected close date</label>
          <input
            id={`${id}-close`}
            type="date"
            required
            value={closeDate}
            onChange={(e) => setCloseDate(e.target.value)}
            aria-invalid={errors.expected_close_date ? true : undefined}
          />
        </div>
      ) : null}
      {needsSource ? (
        <div className="field">
          <label htmlFor={`${id}-source`}>Source</label>
          <input id={`${id}-source`} required value={source} onChange={(e) => setSource(e.target.value)} />
        </div>
      ) : null}
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
