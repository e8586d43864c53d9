/** Every TanStack Query key in one place, so invalidations cannot miss a spelling. */
export const keys = {
  me: ['me'] as const,
  workspace: ['workspace'] as const,
  members: ['members'] as const,
  pipelines: ['pipelines'] as const,
  board: (pipelineId: string, filters: { ownerId?: string; q?: string }) =>
    ['board', pipelineId, filters.ownerId ?? '', filters.q ?? ''] as const,
  boards: ['board'] as const,
  deal: (id: string) => ['deal', id] as const,
  timeline: (subject: 'deals' | 'contacts' | 'accounts', id: string) => ['timeline', subject, id] as const,
  contacts: (q: string, cursor: string | null) => ['contacts', q, cursor] as const,
  contactsAll: ['contacts'] as const,
  contact: (id: string) => ['contact', id] as const,
  accounts: (q: string, cursor: string | null) => ['accounts', q, cursor] as const,
  accountsAll: ['accounts'] as const,
  account: (id: string) => ['account', id] as const,
  tasks: (ownerId: string) => ['tasks', ownerId] as const,
  tasksAll: ['tasks'] as const,
  search: (q: string) => ['search', q] as const,
};
