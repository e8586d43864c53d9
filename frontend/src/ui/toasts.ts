/**
 * Short-lived messages that outlive the page that raised them (a delete navigates away, its
 * "Undo" must stay): a tiny store read with useSyncExternalStore, shown by <Toasts/> in the shell.
 */
import { useSyncExternalStore } from 'react';

export type Toast = { id: number; text: string; action?: { label: string; run: () => Promise<unknown> | void } };

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit() {
  for (const listener of listeners) listener();
}

export function showToast(toast: Omit<Toast, 'id'>, ttlMs = 10_000): number {
  const id = nextId++;
  toasts = [...toasts, { ...toast, id }];
  emit();
  window.setTimeout(() => dismissToast(id), ttlMs);
  return id;
}

export function dismissToast(id: number) {
  if (!toasts.some((t) => t.id === id)) return;
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => toasts,
    () => toasts,
  );
}
