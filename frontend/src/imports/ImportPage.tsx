/**
 * /import: choose a CSV, check the detected mapping against a dry run's preview, change it, then
 * run the import with a live progress bar and read its summary (and the failed rows' CSV).
 *
 * Every check is a dry run on the server (POST /imports with dry_run=true): its mapping is the
 * server's suggestion and its preview the first 20 rows exactly as they would be stored, so the
 * screen never guesses what the importer will do.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../api/problem';
import { ErrorState, Loading, ProblemAlert } from '../ui/States';
import { type CsvSample, columnExamples, readSample } from './csvSample';
import { type DuplicatePolicy, errorsHref, type ImportRecord, useImport, useUpload } from './importData';
import {
  type ColumnMapping,
  CUSTOM_PREFIX,
  completeMapping,
  fieldChoices,
  fieldLabel,
  type ImportObject,
  mappingOverrides,
  missingEssentials,
  sharedFields,
} from './mapping';
import { cellText, OUTCOME_LABEL, previewColumns, previewEntries } from './preview';
import { isFinished, outcomeParts, progressLabel, progressPercent } from './progress';
import './imports.css';

type Choice = { file: File; object: ImportObject; onDuplicate: DuplicatePolicy };
type Review = Choice & {
  sample: CsvSample;
  /** The server's own mapping of the file (its first dry run, no mapping sent). */
  suggested: ColumnMapping;
  mapping: ColumnMapping;
  /** The dry run whose preview is on screen, and the overrides it ran with. */
  dryRunId: string | null;
  checkedWith: string;
};

const OBJECTS: { value: ImportObject; label: string }[] = [
  { value: 'contacts', label: 'Contacts' },
  { value: 'deals', label: 'Deals' },
  { value: 'accounts', label: 'Accounts' },
];

const POLICIES: { value: DuplicatePolicy; label: string }[] = [
  { value: 'merge', label: 'Merge: fill its empty fields' },
  { value: 'skip', label: 'Skip the row' },
  { value: 'create', label: 'Create another record' },
];

export function ImportPage() {
  const id = useId();
  const [review, setReview] = useState<Review | null>(null);
  const [runId, setRunId] = useState<string | null>(null);

  return (
    <section className="page import-page" aria-labelledby={`${id}-title`}>
      <title>Import · Rapport</title>
      <h1 id={`${id}-title`}>Import</h1>
      {runId ? (
        <ImportRun
          key={runId}
          importId={runId}
          onAgain={() => {
            setRunId(null);
            setReview(null);
          }}
        />
      ) : review ? (
        <ReviewStep review={review} onChange={setReview} onStarted={setRunId} onRestart={() => setReview(null)} />
      ) : (
        <ChooseStep onReady={setReview} />
      )}
    </section>
  );
}

function ChooseStep({ onReady }: { onReady: (review: Review) => void }) {
  const id = useId();
  const upload = useUpload();
  const [file, setFile] = useState<File | null>(null);
  const [object, setObject] = useState<ImportObject>('contacts');
  const [onDuplicate, setOnDuplicate] = useState<DuplicatePolicy>('merge');
  const [noMatch, setNoMatch] = useState<string | null>(null);
  const [reading, setReading] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setNoMatch(null);
    setReading(true);
    let sample: CsvSample;
    try {
      sample = await readSample(file);
    } finally {
      setReading(false);
    }
    const choice = { file, object, onDuplicate };
    upload.mutate(
      { ...choice, dryRun: true, mapping: null },
      {
        onSuccess: (dry) =>
          onReady({
            ...choice,
            sample,
            suggested: dry.mapping,
            mapping: completeMapping(sample.headers, dry.mapping),
            dryRunId: dry.id,
            checkedWith: 'null',
          }),
        onError: (error) => {
          // No column the server knows: map them by hand, starting from the browser's look at the header.
          if (isApiError(error) && error.status === 422 && sample.headers.length > 0 && mappingError(error.problem)) {
            setNoMatch(error.message);
            const none = completeMapping(sample.headers, null);
            onReady({ ...choice, sample, suggested: none, mapping: none, dryRunId: null, checkedWith: '' });
          }
        },
      },
    );
  }

  const busy = reading || upload.isPending;
  return (
    <form className="settings-block import-choose" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>1. Choose a file</h2>
      <p className="muted">
        A CSV from a spreadsheet or another CRM (Google Contacts, Outlook, HubSpot, Pipedrive, LinkedIn). Common column names are
        recognised; you can change the mapping before anything is written.
      </p>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-object`}>What the rows are</label>
          <select id={`${id}-object`} value={object} onChange={(e) => setObject(e.target.value as ImportObject)}>
            {OBJECTS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor={`${id}-file`}>CSV file</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".csv,.tsv,.txt,text/csv"
            required
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-dup`}>When a row matches an existing record</label>
          <select id={`${id}-dup`} value={onDuplicate} onChange={(e) => setOnDuplicate(e.target.value as DuplicatePolicy)}>
            {POLICIES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {noMatch ? null : <ProblemAlert error={upload.error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={!file || busy}>
          Check the file
        </button>
        {busy ? <Loading label="Reading the file…" /> : null}
      </div>
    </form>
  );
}

function mappingError(problem: { errors?: { loc: (string | number)[] }[] | null }): boolean {
  return (problem.errors ?? []).some((e) => e.loc.includes('mapping'));
}

function ReviewStep({
  review,
  onChange,
  onStarted,
  onRestart,
}: {
  review: Review;
  onChange: (review: Review) => void;
  onStarted: (id: string) => void;
  onRestart: () => void;
}) {
  const id = useId();
  const check = useUpload();
  const start = useUpload();
  const overrides = mappingOverrides(review.suggested, review.mapping);
  const key = JSON.stringify(overrides);
  const stale = key !== review.checkedWith;
  const missing = missingEssentials(review.object, review.mapping);
  const shared = sharedFields(review.mapping);

  function setField(header: string, field: string | null) {
    onChange({ ...review, mapping: { ...review.mapping, [header]: field } });
  }

  function recheck() {
    check.mutate(
      { ...review, dryRun: true, mapping: overrides },
      { onSuccess: (dry) => onChange({ ...review, dryRunId: dry.id, checkedWith: key }) },
    );
  }

  function run() {
    start.mutate({ ...review, dryRun: false, mapping: overrides }, { onSuccess: (created) => onStarted(created.id) });
  }

  return (
    <>
      <section className="settings-block" aria-labelledby={`${id}-map`}>
        <div className="report-header">
          <h2 id={`${id}-map`}>2. Check the columns</h2>
          <span className="muted">
            {review.file.name} · {OBJECTS.find((o) => o.value === review.object)?.label}
          </span>
        </div>
        <p className="muted">Each column of the file and the field it fills. Suggested fields come from the column names.</p>
        <div className="table-wrap">
          <table className="records import-mapping">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Example values</th>
                <th scope="col">Imports into</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(review.mapping).map(([header, field]) => (
                <MappingRow
                  key={header}
                  object={review.object}
                  header={header}
                  field={field}
                  suggested={review.suggested[header] ?? null}
                  examples={columnExamples(review.sample, header)}
                  onChange={(f) => setField(header, f)}
                />
              ))}
            </tbody>
          </table>
        </div>
        {missing ? (
          <p className="alert alert-warn" role="alert">
            {missing}
          </p>
        ) : null}
        {shared.length > 0 ? (
          <p className="muted">
            Several columns fill {shared.map((f) => fieldLabel(review.object, f)).join(', ')}: each row takes the first that is not empty.
          </p>
        ) : null}
        <ProblemAlert error={check.error} />
        <div className="form-actions">
          <button type="button" className="button" disabled={!stale || check.isPending || Boolean(missing)} onClick={recheck}>
            Update the preview
          </button>
          {stale ? <span className="muted">The mapping changed: update the preview to see its effect.</span> : null}
        </div>
      </section>
      <section className="settings-block" aria-labelledby={`${id}-preview`}>
        <h2 id={`${id}-preview`}>3. Preview</h2>
        {review.dryRunId ? (
          <DryRun key={review.dryRunId} importId={review.dryRunId} object={review.object} />
        ) : (
          <p className="muted">Map at least one column, then update the preview.</p>
        )}
      </section>
      <ProblemAlert error={start.error} />
      <div className="form-actions import-actions">
        <button type="button" className="button button-primary" disabled={start.isPending || Boolean(missing)} onClick={run}>
          Start the import
        </button>
        <button type="button" className="button button-quiet" onClick={onRestart}>
          Choose another file
        </button>
        {stale && !missing ? <span className="muted">It runs with the mapping above, preview or not.</span> : null}
      </div>
    </>
  );
}

function MappingRow({
  object,
  header,
  field,
  suggested,
  examples,
  onChange,
}: {
  object: ImportObject;
  header: string;
  field: string | null;
  suggested: string | null;
  examples: string[];
  onChange: (field: string | null) => void;
}) {
  const id = useId();
  const [customKey, setCustomKey] = useState(field?.startsWith(CUSTOM_PREFIX) ? field.slice(CUSTOM_PREFIX.length) : '');
  const custom = field !== null && field.startsWith(CUSTOM_PREFIX);
  const selectValue = field === null ? '' : custom ? '__custom' : field;
  return (
    <tr>
      <th scope="row">{header}</th>
      <td className="import-examples">{examples.length > 0 ? examples.join(' · ') : <span className="muted">empty</span>}</td>
      <td>
        <div className="inline-form">
          <label htmlFor={`${id}-f`} className="visually-hidden">
            Field for column {header}
          </label>
          <select
            id={`${id}-f`}
            value={selectValue}
            onChange={(e) => {
              const v = e.target.value;
              if (v === '__custom') onChange(`${CUSTOM_PREFIX}${customKey || slug(header)}`);
              else onChange(v === '' ? null : v);
            }}
          >
            <option value="">Don’t import</option>
            {fieldChoices(object, null).map((c) => (
              <option key={c.field} value={c.field}>
                {c.label}
              </option>
            ))}
            <option value="__custom">Custom field…</option>
          </select>
          {custom ? (
            <>
              <label htmlFor={`${id}-k`} className="visually-hidden">
                Custom field name for column {header}
              </label>
              <input
                id={`${id}-k`}
                className="import-custom-key"
                value={customKey || field.slice(CUSTOM_PREFIX.length)}
                onChange={(e) => {
                  setCustomKey(e.target.value);
                  onChange(`${CUSTOM_PREFIX}${e.target.value}`);
                }}
              />
            </>
          ) : null}
          {field !== suggested ? (
            <span className="badge badge-changed">changed</span>
          ) : field !== null ? (
            <span className="badge">suggested</span>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function slug(header: string): string {
  return (
    header
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'field'
  );
}

function DryRun({ importId, object }: { importId: string; object: ImportObject }) {
  const dry = useImport(importId);
  if (dry.isPending) return <Loading label="Checking the file…" />;
  if (dry.isError) return <ErrorState error={dry.error} onRetry={() => void dry.refetch()} />;
  const record = dry.data;
  const entries = previewEntries(record.preview);
  const columns = previewColumns(object, entries);
  const finished = isFinished(record.status);
  return (
    <>
      {record.status === 'failed' ? (
        <p className="alert alert-error" role="alert">
          {progressLabel(record)}
        </p>
      ) : finished ? (
        <p className="import-projection" aria-live="polite">
          If you import now, of {record.total ?? record.processed} rows:{' '}
          {outcomeParts(record, true)
            .map((p) => `${p.label.toLowerCase()} ${p.value}`)
            .join(', ')}
          .
        </p>
      ) : (
        <Loading label={`Checking the file… ${progressLabel(record)}`} />
      )}
      {entries.length > 0 ? (
        <div className="table-wrap">
          <table className="records import-preview" aria-label={`The first ${entries.length} rows as they would be stored`}>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Outcome</th>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {fieldLabel(object, c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.row} className={`outcome-${e.outcome}`}>
                  <th scope="row">{e.row}</th>
                  <td className="import-outcome">
                    {OUTCOME_LABEL[e.outcome] ?? e.outcome}
                    {e.reason ? <div className="import-reason">{e.reason}</div> : null}
                  </td>
                  {columns.map((c) => (
                    <td key={c}>{cellText(e.record?.[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : finished ? (
        <p className="muted">The file has no data rows.</p>
      ) : null}
      {finished && record.failed > 0 ? (
        <p>
          <a href={errorsHref(record.id)} download>
            Download the rows that would fail (CSV)
          </a>
        </p>
      ) : null}
    </>
  );
}

function ImportRun({ importId, onAgain }: { importId: string; onAgain: () => void }) {
  const id = useId();
  const run = useImport(importId);
  if (run.isPending) return <Loading label="Starting the import…" />;
  if (run.isError) return <ErrorState error={run.error} onRetry={() => void run.refetch()} />;
  const record: ImportRecord = run.data;
  const percent = progressPercent(record);
  const finished = isFinished(record.status);
  return (
    <>
      <section className="settings-block" aria-labelledby={`${id}-progress`}>
        <h2 id={`${id}-progress`}>Importing {record.filename ?? 'the file'}</h2>
        <progress
          className="import-progress"
          aria-label="Import progress"
          max={100}
          {...(percent === null ? {} : { value: percent })}
          aria-valuetext={progressLabel(record)}
        />
        <p className="import-progress-label" role="status" aria-live="polite">
          {progressLabel(record)}
        </p>
      </section>
      {finished ? (
        <section className="settings-block" aria-labelledby={`${id}-summary`}>
          <h2 id={`${id}-summary`}>Summary</h2>
          {record.status === 'failed' ? (
            <p className="alert alert-error" role="alert">
              {record.error ?? 'The import failed.'} Rows already written stay; the counts say how far it got.
            </p>
          ) : null}
          <dl className="facts import-summary">
            <div>
              <dt>Rows</dt>
              <dd>{record.total ?? record.processed}</dd>
            </div>
            {outcomeParts(record).map((p) => (
              <div key={p.key} className={`import-count-${p.key}`}>
                <dt>{p.label}</dt>
                <dd>{p.value}</dd>
              </div>
            ))}
          </dl>
          <div className="form-actions import-actions">
            {record.failed > 0 ? (
              <a className="button" href={errorsHref(record.id)} download>
                Download the failed rows (CSV)
              </a>
            ) : null}
            <Link className="button" to={record.object === 'deals' ? '/pipeline' : `/${record.object}`}>
              Open {record.object}
            </Link>
            <button type="button" className="button button-quiet" onClick={onAgain}>
              Import another file
            </button>
          </div>
        </section>
      ) : null}
    </>
  );
}
