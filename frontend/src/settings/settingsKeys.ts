/** Query keys of the settings screens (the shared ones, pipelines and members, are in api/keys). */
export const settingsKeys = {
  invitations: ['settings', 'invitations'] as const,
  requiredFields: ['settings', 'required-fields'] as const,
  automations: ['settings', 'automations'] as const,
  automationRuns: (id: string) => ['settings', 'automations', id, 'runs'] as const,
  forms: ['settings', 'forms'] as const,
  form: (id: string) => ['settings', 'forms', id] as const,
  submissions: (id: string) => ['settings', 'forms', id, 'submissions'] as const,
  apiKeys: ['settings', 'api-keys'] as const,
  webhooks: ['settings', 'webhooks'] as const,
  deliveries: (id: string) => ['settings', 'webhooks', id, 'deliveries'] as const,
};
