import { describe, expect, it } from 'vitest';
import {
  type AutomationDraft,
  type AutomationOut,
  automationPayload,
  describeTrigger,
  draftFromAutomation,
  emptyAction,
  emptyDraft,
  formatDuration,
  opsFor,
  parseDuration,
} from './automationForm';

function draft(patch: Partial<AutomationDraft>): AutomationDraft {
  return { ...emptyDraft(), name: 'Idle follow-up', ...patch };
}

describe('durations', () => {
  it('writes days and weeks before the T, hours and smaller after it', () => {
    expect(formatDuration({ amount: '7', unit: 'D' })).toBe('P7D');
    expect(formatDuration({ amount: '2', unit: 'W' })).toBe('P2W');
    expect(formatDuration({ amount: '3', unit: 'H' })).toBe('PT3H');
    expect(formatDuration({ amount: '30', unit: 'S' })).toBe('PT30S');
  });

  it('refuses what is not a whole positive number', () => {
    expect(formatDuration({ amount: '', unit: 'D' })).toBeNull();
    expect(formatDuration({ amount: '0', unit: 'D' })).toBeNull();
    expect(formatDuration({ amount: '1.5', unit: 'D' })).toBeNull();
    expect(formatDuration({ amount: '-2', unit: 'H' })).toBeNull();
  });

  it('reads a stored duration back in its largest whole unit', () => {
    expect(parseDuration('P7D')).toEqual({ amount: '1', unit: 'W' });
    expect(parseDuration('P10D')).toEqual({ amount: '10', unit: 'D' });
    expect(parseDuration('P1DT2H')).toEqual({ amount: '26', unit: 'H' });
    expect(parseDuration('PT90M')).toEqual({ amount: '90', unit: 'M' });
    expect(parseDuration('PT30S')).toEqual({ amount: '30', unit: 'S' });
    expect(parseDuration('nonsense', { amount: '5', unit: 'D' })).toEqual({ amount: '5', unit: 'D' });
  });
});

describe('automationPayload', () => {
  it('builds the idle rule from API.md: trigger duration, an amount condition, a task for the owner', () => {
    const result = automationPayload(
      draft({
        trigger: { type: 'deal_idle', stage_id: 'ignored', duration: { amount: '7', unit: 'D' } },
        conditions: [{ field: 'amount', op: 'gte', value: ' 10000 ' }],
        actions: [{ ...emptyAction('create_task'), subject: 'Follow up on {deal.title}', due_in: { amount: '1', unit: 'D' } }],
      }),
    );
    expect(result).toEqual({
      ok: true,
      body: {
        name: 'Idle follow-up',
        enabled: true,
        trigger: { type: 'deal_idle', duration: 'P7D' },
        conditions: [{ field: 'amount', op: 'gte', value: '10000' }],
        actions: [{ type: 'create_task', subject: 'Follow up on {deal.title}', due_in: 'P1D', assignee: 'owner' }],
      },
    });
  });

  it('sends only the fields each action type takes', () => {
    const result = automationPayload(
      draft({
        actions: [
          { ...emptyAction('notify_owner'), subject: 'not sent', tag: 'not sent' },
          { ...emptyAction('add_tag'), tag: ' hot ' },
          { ...emptyAction('assign_owner'), member_ids: ['m1', 'm2'] },
          { ...emptyAction('close_as_lost'), reason: 'No budget' },
          { ...emptyAction('send_webhook'), subscription_id: 'w1' },
          { ...emptyAction('create_renewal_deal'), pipeline_id: 'p1' },
        ],
      }),
    );
    expect(result.ok && result.body.actions).toEqual([
      { type: 'notify_owner' },
      { type: 'add_tag', tag: 'hot' },
      { type: 'assign_owner', strategy: 'round_robin', member_ids: ['m1', 'm2'] },
      { type: 'close_as_lost', reason: 'No budget' },
      { type: 'send_webhook', subscription_id: 'w1' },
      { type: 'create_renewal_deal', pipeline_id: 'p1' },
    ]);
  });

  it('turns "is one of" into a list and keeps the stage of a stage trigger', () => {
    const result = automationPayload(
      draft({
        trigger: { type: 'deal_stage_entered', stage_id: 's1', duration: { amount: '7', unit: 'D' } },
        conditions: [{ field: 'source', op: 'in', value: 'web, referral,, ' }],
      }),
    );
    expect(result.ok && result.body.trigger).toEqual({ type: 'deal_stage_entered', stage_id: 's1' });
    expect(result.ok && result.body.conditions).toEqual([{ field: 'source', op: 'in', value: ['web', 'referral'] }]);
  });

  it('lists every problem at once instead of sending a rule the API would refuse', () => {
    const result = automationPayload({
      name: ' ',
      enabled: true,
      trigger: { type: 'deal_stage_entered', stage_id: '', duration: { amount: '7', unit: 'D' } },
      conditions: [
        { field: 'amount', op: 'gt', value: 'lots' },
        { field: 'title', op: 'gt', value: 'x' },
      ],
      actions: [{ ...emptyAction('assign_owner') }, { ...emptyAction('create_task'), subject: '', due_in: { amount: '0', unit: 'D' } }],
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'Name the automation',
        'Trigger: choose the stage',
        'Condition 1: amounts are numbers, e.g. 10000',
        'Condition 2: “is more than” does not apply to title',
        'Action 1: choose at least one member',
        'Action 2: the task needs a subject',
        'Action 2: “due in” must be a whole number above 0',
      ],
    });
  });

  it('refuses a rule without actions', () => {
    const result = automationPayload(draft({ actions: [] }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toContain('Add at least one action');
  });
});

describe('draftFromAutomation', () => {
  const saved: AutomationOut = {
    id: 'a1',
    name: 'Renewals',
    enabled: false,
    trigger: { type: 'renewal_due', duration: 'P60D' },
    conditions: [{ field: 'tags', op: 'in', value: ['vip', 'enterprise'] }],
    actions: [
      { type: 'create_task', subject: 'Renew {deal.title}', due_in: 'PT4H', assignee: 'u1' },
      { type: 'create_renewal_deal', pipeline_id: 'p1', stage_id: null },
    ],
    version: 3,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
  };

  it('round-trips a saved rule to the same payload', () => {
    const round = automationPayload(draftFromAutomation(saved));
    expect(round).toEqual({
      ok: true,
      body: {
        name: 'Renewals',
        enabled: false,
        trigger: { type: 'renewal_due', duration: 'P60D' },
        conditions: [{ field: 'tags', op: 'in', value: ['vip', 'enterprise'] }],
        actions: [
          { type: 'create_task', subject: 'Renew {deal.title}', due_in: 'PT4H', assignee: 'u1' },
          { type: 'create_renewal_deal', pipeline_id: 'p1' },
        ],
      },
    });
  });

  it('describes triggers in words', () => {
    expect(describeTrigger(saved.trigger, () => '')).toBe('A contract ends within 60 days');
    expect(describeTrigger({ type: 'deal_idle', duration: 'P7D' }, () => '')).toBe('A deal is idle for 1 week');
    expect(describeTrigger({ type: 'deal_stage_entered', stage_id: 's1' }, (id) => (id === 's1' ? 'Proposal Sent' : '?'))).toBe(
      'A deal enters Proposal Sent',
    );
  });
});

describe('opsFor', () => {
  it('offers ordering only for amounts and "contains" only for text and tags', () => {
    expect(opsFor('amount')).toContain('gte');
    expect(opsFor('title')).not.toContain('gte');
    expect(opsFor('tags')).toContain('contains');
    expect(opsFor('stage_id')).toEqual(['eq', 'ne', 'in']);
  });
});
