/** A lead-capture form's editor state, its API body, and the JavaScript embed snippet. */
import type { components } from '../api/schema';

export type FormOut = components['schemas']['FormOut'];
export type FormIn = components['schemas']['FormIn'];

/** What a submitted field may map to (domain/forms/fields.py TARGETS), besides custom_fields.<key>. */
export const MAPPING_TARGETS = [
  'email',
  'name',
  'first_name',
  'last_name',
  'phone',
  'company',
  'message',
  'title',
  'website',
  'country',
  'company_size',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
];

export type MappingRow = { from: string; to: string };

export type FormDraft = {
  name: string;
  create_deal: boolean;
  pipeline_id: string;
  stage_id: string;
  owner_id: string;
  thank_you_url: string;
  allowed_origins: string;
  mapping: MappingRow[];
};

export function emptyFormDraft(): FormDraft {
  return { name: '', create_deal: false, pipeline_id: '', stage_id: '', owner_id: '', thank_you_url: '', allowed_origins: '', mapping: [] };
}

export function draftFromForm(form: FormOut): FormDraft {
  return {
    name: form.name,
    create_deal: form.create_deal,
    pipeline_id: form.pipeline_id ?? '',
    stage_id: form.stage_id ?? '',
    owner_id: form.owner_id ?? '',
    thank_you_url: form.thank_you_url ?? '',
    allowed_origins: form.allowed_origins.join('\n'),
    mapping: Object.entries(form.field_mapping).map(([from, to]) => ({ from, to })),
  };
}

/**
 * The body for POST (and PATCH: every field is sent, blanks as null, so a cleared field is
 * cleared). Mapping rows without a name are dropped; origins are one per line.
 */
export function formBody(draft: FormDraft): FormIn {
  const mapping: Record<string, string> = {};
  for (const row of draft.mapping) {
    const from = row.from.trim();
    const to = row.to.trim();
    if (from && to) mapping[from] = to;
  }
  const origins = draft.allowed_origins
    .split(/[\n,]+/)
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  return {
    name: draft.name.trim(),
    create_deal: draft.create_deal,
    pipeline_id: draft.pipeline_id || null,
    stage_id: draft.stage_id || null,
    owner_id: draft.owner_id || null,
    thank_you_url: draft.thank_you_url.trim() || null,
    allowed_origins: origins,
    field_mapping: mapping,
  };
}

/**
 * A script for sites that post with JavaScript (no page reload): it sends the page's form as
 * urlencoded data, with the page as referrer, and shows the answer. The origin must be allowed
 * when the form lists allowed origins.
 */
export function jsSnippet(submissionUrl: string): string {
  return `<script>
  // Posts the form with id="rapport-form" to Rapport without leaving the page.
  document.getElementById('rapport-form').addEventListener('submit', async function (event) {
    event.preventDefault();
    const data = new URLSearchParams(new FormData(event.target));
    data.set('referrer', document.referrer || window.location.href);
    const response = await fetch(${JSON.stringify(submissionUrl)}, {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: data,
    });
    event.target.replaceWith(response.ok ? 'Thank you!' : 'Sorry, that did not go through; please try again.');
  });
</script>`;
}
