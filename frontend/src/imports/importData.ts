/** Imports over HTTP: upload a CSV (multipart), follow an import until it finishes. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import type { ColumnMapping, ImportObject } from './mapping';
import { pollInterval } from './progress';

export type ImportRecord = components['schemas']['ImportOut'];
export type DuplicatePolicy = 'merge' | 'skip' | 'create';

export type Upload = {
  file: File;
  object: ImportObject;
  onDuplicate: DuplicatePolicy;
  dryRun: boolean;
  mapping: ColumnMapping | null;
};

export function uploadBody(upload: Upload): FormData {
  const form = new FormData();
  form.append('file', upload.file, upload.file.name);
  form.append('object', upload.object);
  form.append('on_duplicate', upload.onDuplicate);
  form.append('dry_run', upload.dryRun ? 'true' : 'false');
  if (upload.mapping) form.append('mapping', JSON.stringify(upload.mapping));
  return form;
}

export function useUpload() {
  return useMutation({
    mutationFn: (upload: Upload) =>
      unwrap(
        api.POST('/api/v1/imports', {
          // The generated type describes the form's fields; the browser sends the FormData itself
          // (with its boundary), so no Content-Type is set here.
          body: {} as components['schemas']['Body_imports-create'],
          bodySerializer: () => uploadBody(upload),
        }),
      ),
  });
}

/** One import, asked for again until it is done or failed. */
export function useImport(id: string | null) {
  const started = useRef(Date.now());
  return useQuery({
    queryKey: ['import', id ?? ''],
    enabled: Boolean(id),
    queryFn: () => {
      return unwrap(api.GET('/api/v1/imports/{import_id}', { params: { path: { import_id: id! } } }));
    },
    staleTime: 0,
    refetchInterval: (query) => pollInterval(query.state.data, Date.now() - started.current),
    // A polling screen keeps polling when the tab comes back; the answer is small.
    refetchIntervalInBackground: false,
  });
}

export function errorsHref(id: string): string {
  return `/api/v1/imports/${id}/errors`;
}
