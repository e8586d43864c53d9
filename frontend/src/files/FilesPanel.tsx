/** The files attached to a contact, account, deal or activity: list, upload, download, delete. */
import { type ChangeEvent, useId, useRef } from 'react';
import { formatDateTime } from '../lib/dates';
import { MemberName } from '../shell/MemberName';
import { ErrorState, Loading, ProblemAlert } from '../ui/States';
import { type FileSubject, formatSize, useDeleteFile, useFiles, useUploadFile } from './filesData';

export function FilesPanel({ subject, id }: { subject: FileSubject; id: string }) {
  const headingId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const files = useFiles(subject, id);
  const upload = useUploadFile(subject, id);
  const remove = useDeleteFile(subject, id);

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = Array.from(event.target.files ?? []);
    event.target.value = '';
    for (const file of chosen) upload.mutate(file);
  }

  return (
    <section className="files-panel" aria-labelledby={headingId}>
      <div className="files-header">
        <h2 id={headingId}>Files</h2>
        <label className="button">
          {upload.isPending ? 'Uploading…' : 'Attach file'}
          <input ref={inputRef} type="file" multiple className="visually-hidden" onChange={choose} aria-label="Attach file" />
        </label>
      </div>
      <ProblemAlert error={upload.error ?? remove.error} />
      {files.isPending ? (
        <Loading label="Loading files…" />
      ) : files.isError ? (
        <ErrorState error={files.error} onRetry={() => void files.refetch()} />
      ) : files.data.items.length === 0 ? (
        <p className="muted">No files yet. Files up to 25 MB.</p>
      ) : (
        <ul className="files-list">
          {files.data.items.map((file) => (
            <li key={file.id}>
              <a href={file.download_url} download={file.name}>
                {file.name}
              </a>{' '}
              <span className="muted">
                {formatSize(file.size)} · {file.content_type} · {formatDateTime(file.created_at)} · <MemberName id={file.uploaded_by} />
              </span>{' '}
              <button
                type="button"
                className="button button-small"
                aria-label={`Delete ${file.name}`}
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Delete ${file.name}?`)) remove.mutate(file.id);
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
