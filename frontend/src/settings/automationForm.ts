/**
 * The automation editor's state and its translation to and from the API's rule: a trigger, its
 * conditions and its actions, as text fields a form can hold. Kept free of React so the
 * translation is tested on its own (automationForm.test.ts).
 */
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type AutomationIn = Schemas['AutomationIn'];
export type AutomationOut = Schemas['AutomationOut'];
export type Trigger = AutomationIn['trigger'];
export type TriggerType = Trigger['type'];
export type Action = AutomationIn['actions'][number];
export type ActionType = Action['type'];
export type ConditionField = Schemas['Condition']['field'];
export type ConditionOp = Schemas['Condition']['op'];

export const TRIGGERS: { type: TriggerType; label: string }[] = [
  { type: 'deal_created', label: 'A deal is created' },
  { type: 'deal_stage_entered', label: 'A deal enters a stage' },
  { type: 'deal_idle', label: 'A deal sits idle' },
  { type: 'deal_rotting', label: 'A deal goes past its stage’s idle days' },
  { type: 'deal_close_date_passed', label: 'A deal’s expected close date passes' },
  { type: 'task_overdue', label: 'A task becomes overdue' },
  { type: 'contact_created_from_form', label: 'A form creates a contact' },
  { type: 'renewal_due', label: 'A contract end date comes near' },
];

export const ACTIONS: { type: ActionType; label: string }[] = [
  { type: 'create_task', label: 'Create a task' },
  { type: 'notify_owner', label: 'Notify the owner' },
  { type: 'assign_owner', label: 'Assign an owner (round robin)' },
  { type: 'add_tag', label: 'Add a tag' },
  { type: 'close_as_lost', label: 'Close the deal as lost' },
  { type: 'send_webhook', label: 'Send a webhook' },
  { type: 'create_renewal_deal', label: 'Create a renewal deal' },
];

export const CONDITION_FIELDS: { field: ConditionField; label: string }[] = [
  { field: 'amount', label: 'Amount' },
  { field: 'pipeline_id', label: 'Pipeline' },
  { field: 'stage_id', label: 'Stage' },
  { field: 'owner_id', label: 'Owner' },
  { field: 'source', label: 'Source' },
  { field: 'tags', label: 'Tags' },
  { field: 'currency', label: 'Currency' },
  { field: 'title', label: 'Title' },
];

export const OP_LABELS: Record<ConditionOp, string> = {
  eq: 'is',
  ne: 'is not',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  in: 'is one of',
  contains: 'contains',
};

/** The operators the API accepts for a field (ordering compares amounts; `contains` is for text and tags). */
export function opsFor(field: ConditionField): ConditionOp[] {
  if (field === 'amount') return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'];
  if (field === 'tags' || field === 'title' || field === 'source') return ['eq', 'ne', 'in', 'contains'];
  return ['eq', 'ne', 'in'];
}

export function isIdField(field: ConditionField): boolean {
  return field === 'pipeline_id' || field === 'stage_id' || field === 'owner_id';
}

// Durations ------------------------------------------------------------------------------

export type DurationUnit = 'W' | 'D' | 'H' | 'M' | 'S';
export type DurationDraft = { amount: string; unit: DurationUnit };
export const DURATION_UNITS: { unit: DurationUnit; label: string }[] = [
  { unit: 'W', label: 'weeks' },
  { unit: 'D', label: 'days' },
  { unit: 'H', label: 'hours' },
  { unit: 'M', label: 'minutes' },
  { unit: 'S', label: 'seconds' },
];
const UNIT_SECONDS: Record<DurationUnit, number> = { W: 604800, D: 86400, H: 3600, M: 60, S: 1 };

/** `{amount: "7", unit: "D"}` -> "P7D"; hours and smaller go after the T. Null when not a whole positive number. */
export function formatDuration(d: DurationDraft): string | null {
  const text = d.amount.trim();
  if (!/^\d+$/.test(text) || Number(text) <= 0) return null;
  const n = Number(text);
  return d.unit === 'W' || d.unit === 'D' ? `P${n}${d.unit}` : `PT${n}${d.unit}`;
}

/** An ISO 8601 duration (weeks to seconds, as the API stores them) in its largest whole unit. */
export function parseDuration(iso: string | null | undefined, fallback: DurationDraft = { amount: '7', unit: 'D' }): DurationDraft {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec((iso ?? '').trim().toUpperCase());
  if (!m) return fallback;
  const [, w, d, h, min, s] = m;
  const seconds = Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  if (seconds <= 0) return fallback;
  for (const { unit } of DURATION_UNITS) {
    if (seconds % UNIT_SECONDS[unit] === 0) return { amount: String(seconds / UNIT_SECONDS[unit]), unit };
  }
  return { amount: String(seconds), unit: 'S' };
}

export function describeDuration(iso: string): string {
  const d = parseDuration(iso, { amount: iso, unit: 'S' });
  const label = DURATION_UNITS.find((u) => u.unit === d.unit)!.label;
  return `${d.amount} ${d.amount === '1' ? label.slice(0, -1) : label}`;
}

// Drafts ---------------------------------------------------------------------------------

export type TriggerDraft = { type: TriggerType; stage_id: string; duration: DurationDraft };
export type ConditionDraft = { field: ConditionField; op: ConditionOp; value: string };
export type ActionDraft = {
  type: ActionType;
  subject: string;
  due_in: DurationDraft;
  assignee: string;
  message: string;
  member_ids: string[];
  tag: string;
  reason: string;
  subscription_id: string;
  pipeline_id: string;
  stage_id: string;
};
export type AutomationDraft = {
  name: string;
  enabled: boolean;
  trigger: TriggerDraft;
  conditions: ConditionDraft[];
  actions: ActionDraft[];
};

export function emptyAction(type: ActionType = 'create_task'): ActionDraft {
  return {
    type,
    subject: 'Follow up on {deal.title}',
    due_in: { amount: '1', unit: 'D' },
    assignee: 'owner',
    message: '',
    member_ids: [],
    tag: '',
    reason: 'stale',
    subscription_id: '',
    pipeline_id: '',
    stage_id: '',
  };
}

export function emptyCondition(): ConditionDraft {
  return { field: 'amount', op: 'gte', value: '' };
}

export function emptyDraft(): AutomationDraft {
  return {
    name: '',
    enabled: true,
    trigger: { type: 'deal_created', stage_id: '', duration: { amount: '7', unit: 'D' } },
    conditions: [],
    actions: [emptyAction()],
  };
}

function conditionText(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (v === null ? '' : String(v))).join(', ');
  return value === null || value === undefined ? '' : String(value);
}

export function draftFromAutomation(a: AutomationOut): AutomationDraft {
  const t = a.trigger;
  return {
    name: a.name,
    enabled: a.enabled,
    trigger: {
      type: t.type,
      stage_id: t.type === 'deal_stage_entered' ? t.stage_id : '',
      duration: parseDuration(t.type === 'deal_idle' || t.type === 'renewal_due' ? t.duration : null),
    },
    conditions: (a.conditions ?? []).map((c) => ({ field: c.field, op: c.op, value: conditionText(c.value) })),
    actions: a.actions.map((action) => {
      const d = emptyAction(action.type);
      switch (action.type) {
        case 'create_task':
          return { ...d, subject: action.subject, due_in: parseDuration(action.due_in, d.due_in), assignee: action.assignee ?? 'owner' };
        case 'notify_owner':
          return { ...d, message: action.message ?? '' };
        case 'assign_owner':
          return { ...d, member_ids: action.member_ids };
        case 'add_tag':
          return { ...d, tag: action.tag };
        case 'close_as_lost':
          return { ...d, reason: action.reason ?? 'stale' };
        case 'send_webhook':
          return { ...d, subscription_id: action.subscription_id };
        case 'create_renewal_deal':
          return { ...d, pipeline_id: action.pipeline_id, stage_id: action.stage_id ?? '' };
      }
      return d;
    }),
  };
}

export type PayloadResult = { ok: true; body: AutomationIn } | { ok: false; errors: string[] };

function triggerOf(t: TriggerDraft, errors: string[]): Trigger {
  switch (t.type) {
    case 'deal_stage_entered':
      if (!t.stage_id) errors.push('Trigger: choose the stage');
      return { type: t.type, stage_id: t.stage_id };
    case 'deal_idle':
    case 'renewal_due': {
      const duration = formatDuration(t.duration);
      if (!duration) errors.push('Trigger: the duration must be a whole number above 0');
      return { type: t.type, duration: duration ?? '' };
    }
    default:
      return { type: t.type };
  }
}

function conditionOf(c: ConditionDraft, index: number, errors: string[]): Schemas['Condition'] {
  const where = `Condition ${index + 1}`;
  if (!opsFor(c.field).includes(c.op)) errors.push(`${where}: “${OP_LABELS[c.op]}” does not apply to ${c.field}`);
  if (c.op === 'in') {
    const values = c.value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (values.length === 0) errors.push(`${where}: give at least one value`);
    if (c.field === 'amount' && values.some((v) => !isAmount(v))) errors.push(`${where}: amounts are numbers, e.g. 10000`);
    return { field: c.field, op: c.op, value: values };
  }
  const value = c.value.trim();
  if (!value) errors.push(`${where}: give a value`);
  else if (c.field === 'amount' && !isAmount(value)) errors.push(`${where}: amounts are numbers, e.g. 10000`);
  return { field: c.field, op: c.op, value };
}

function isAmount(text: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(text);
}

function actionOf(a: ActionDraft, index: number, errors: string[]): Action {
  const where = `Action ${index + 1}`;
  switch (a.type) {
    case 'create_task': {
      const dueIn = formatDuration(a.due_in);
      if (!a.subject.trim()) errors.push(`${where}: the task needs a subject`);
      if (!dueIn) errors.push(`${where}: “due in” must be a whole number above 0`);
      return { type: a.type, subject: a.subject.trim(), due_in: dueIn ?? '', assignee: a.assignee || 'owner' };
    }
    case 'notify_owner':
      return a.message.trim() ? { type: a.type, message: a.message.trim() } : { type: a.type };
    case 'assign_owner':
      if (a.member_ids.length === 0) errors.push(`${where}: choose at least one member`);
      return { type: a.type, strategy: 'round_robin', member_ids: a.member_ids };
    case 'add_tag':
      if (!a.tag.trim()) errors.push(`${where}: name the tag`);
      return { type: a.type, tag: a.tag.trim() };
    case 'close_as_lost':
      if (!a.reason.trim()) errors.push(`${where}: give a lost reason`);
      return { type: a.type, reason: a.reason.trim() };
    case 'send_webhook':
      if (!a.subscription_id) errors.push(`${where}: choose the webhook`);
      return { type: a.type, subscription_id: a.subscription_id };
    case 'create_renewal_deal':
      if (!a.pipeline_id) errors.push(`${where}: choose the pipeline`);
      return { type: a.type, pipeline_id: a.pipeline_id, ...(a.stage_id ? { stage_id: a.stage_id } : {}) };
  }
}

/** The API body for a draft, or what to fix first (the API checks again and names its own 422s). */
export function automationPayload(draft: AutomationDraft): PayloadResult {
  const errors: string[] = [];
  if (!draft.name.trim()) errors.push('Name the automation');
  const trigger = triggerOf(draft.trigger, errors);
  const conditions = draft.conditions.map((c, i) => conditionOf(c, i, errors));
  if (draft.actions.length === 0) errors.push('Add at least one action');
  const actions = draft.actions.map((a, i) => actionOf(a, i, errors));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, body: { name: draft.name.trim(), enabled: draft.enabled, trigger, conditions, actions } };
}

/** "A deal is idle for 7 days", for the list. */
export function describeTrigger(trigger: Trigger, stageName: (id: string) => string): string {
  switch (trigger.type) {
    case 'deal_stage_entered':
      return `A deal enters ${stageName(trigger.stage_id)}`;
    case 'deal_idle':
      return `A deal is idle for ${describeDuration(trigger.duration)}`;
    case 'renewal_due':
      return `A contract ends within ${describeDuration(trigger.duration)}`;
    default:
      return TRIGGERS.find((t) => t.type === trigger.type)?.label ?? trigger.type;
  }
}
