/** Attachments: a record's files, uploading (multipart) and deleting them. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, CSRF_COOKIE, CSRF_HEADER, unwrap } from '../api/client';
import { ApiError, toProblem } from '../api/problem';
import type { ResponseOf } from '../api/types';
import { readCookie } from '../lib/cookies';

export type FileSubject = 'contacts' | 'accounts' | 'deals' | 'activities';
export type FileRecord = ResponseOf<'/api/v1/files/{file_id}'>;
export type FilesPage = { items: FileRecord[]; next_cursor?: string | null };

export const filesKey = (subject: FileSubject, id: string) => ['files', subject, id] as const;

function listFiles(subject: FileSubject, id: string): Promise<FilesPage> {
  const query = { limit: 200 };
  switch (subject) {
    case 'contacts':
      return unwrap(api.GET('/api/v1/contacts/{contact_id}/files', { params: { path: { contact_id: id }, query } }));
    case 'accounts':
      return unwrap(api.GET('/api/v1/accounts/{account_id}/files', { params: { path: { account_id: id }, query } }));
    case 'deals':
      return unwrap(api.GET('/api/v1/deals/{deal_id}/files', { params: { path: { deal_id: id }, query } }));
    case 'activities':
      return unwrap(api.GET('/api/v1/activities/{activity_id}/files', { params: { path: { activity_id: id }, query } }));
  }
}

export function useFiles(subject: FileSubject, id: string) {
  return useQuery({ queryKey: filesKey(subject, id), queryFn: () => listFiles(subject, id) });
}

/** Multipart upload by hand: the typed client knows JSON bodies, this one is a FormData. */
export async function uploadFile(subject: FileSubject, id: string, file: File): Promise<FileRecord> {
  const form = new FormData();
  form.append('file', file, file.name);
  const headers: Record<string, string> = {};
  const csrf = readCookie(CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  let response: Response;
  try {
    response = await fetch(`/api/v1/${subject}/${encodeURIComponent(id)}/files`, {
      method: 'POST',
      body: form,
      headers,
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError(0, { title: 'The server could not be reached', detail: String(cause) });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, toProblem(body, response.status));
  return body as FileRecord;
}

export function useUploadFile(subject: FileSubject, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => uploadFile(subject, id, file),
    onSettled: () => queryClient.invalidateQueries({ queryKey: filesKey(subject, id) }),
  });
}

export function useDeleteFile(subject: FileSubject, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fileId: string) => unwrap(api.DELETE('/api/v1/files/{file_id}', { params: { path: { file_id: fileId } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: filesKey(subject, id) }),
  });
}

/** 1536 -> "1.5 KB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}
