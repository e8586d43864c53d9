import { describe, expect, it } from 'vitest';
import { draftFromForm, emptyFormDraft, formBody, type FormOut, jsSnippet } from './formSettings';

describe('formBody', () => {
  it('drops blank mapping rows, splits origins and sends blanks as null', () => {
    const body = formBody({
      ...emptyFormDraft(),
      name: ' Website demo request ',
      create_deal: true,
      allowed_origins: 'https://www.example.com/\nhttps://example.org, \n',
      mapping: [
        { from: 'organisation', to: 'company' },
        { from: ' ', to: 'email' },
        { from: 'budget', to: 'custom_fields.budget' },
      ],
    });
    expect(body).toEqual({
      name: 'Website demo request',
      create_deal: true,
      pipeline_id: null,
      stage_id: null,
      owner_id: null,
      thank_you_url: null,
      allowed_origins: ['https://www.example.com', 'https://example.org'],
      field_mapping: { organisation: 'company', budget: 'custom_fields.budget' },
    });
  });

  it('reads a saved form back into the same body', () => {
    const form = {
      id: 'f1',
      key: 'frm_abc',
      name: 'Contact us',
      pipeline_id: 'p1',
      stage_id: 's1',
      owner_id: null,
      create_deal: true,
      secret: null,
      allowed_origins: ['https://a.example'],
      thank_you_url: 'https://a.example/thanks',
      routing: null,
      field_mapping: { org: 'company' },
      submission_url: 'http://localhost/api/v1/forms/frm_abc/submissions',
      embed_html: '<form></form>',
      submissions: { pending: 0, processed: 0, spam: 0, rejected: 0, failed: 0 },
      version: 1,
      created_at: '2026-11-01T00:00:00Z',
      updated_at: '2026-11-01T00:00:00Z',
    } satisfies FormOut;
    expect(formBody(draftFromForm(form))).toEqual({
      name: 'Contact us',
      create_deal: true,
      pipeline_id: 'p1',
      stage_id: 's1',
      owner_id: null,
      thank_you_url: 'https://a.example/thanks',
      allowed_origins: ['https://a.example'],
      field_mapping: { org: 'company' },
    });
  });
});

describe('jsSnippet', () => {
  it('posts to the form’s submission URL, quoted safely', () => {
    const snippet = jsSnippet('https://crm.example/api/v1/forms/frm_x"y/submissions');
    expect(snippet).toContain('fetch("https://crm.example/api/v1/forms/frm_x\\"y/submissions"');
    expect(snippet).toContain("getElementById('rapport-form')");
  });
});
