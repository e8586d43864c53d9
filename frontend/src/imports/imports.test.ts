import { describe, expect, it } from 'vitest';
import { columnExamples, detectDelimiter, sampleCsv, splitRecords } from './csvSample';
import { completeMapping, fieldChoices, mappingOverrides, missingEssentials, sharedFields } from './mapping';
import { cellText, previewColumns, previewEntries } from './preview';
import { type ImportProgress, outcomeParts, pollInterval, progressLabel, progressPercent } from './progress';

const base: ImportProgress = { status: 'running', total: 5000, processed: 1200, created: 1000, merged: 150, skipped: 0, failed: 50 };

describe('reading the start of a CSV', () => {
  it('finds the delimiter that splits the header most', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"Name, full",Email')).toBe(',');
    expect(detectDelimiter('"a;b";"c"')).toBe(';');
  });

  it('keeps quoted delimiters, doubled quotes and line breaks inside a field', () => {
    const text = 'name,notes\r\n"Doe, Jane","said ""hi""\nthen left"\r\n\r\nAda,\n';
    expect(splitRecords(text, ',', 10)).toEqual([
      ['name', 'notes'],
      ['Doe, Jane', 'said "hi"\nthen left'],
      ['Ada', ''],
    ]);
  });

  it('drops a byte-order mark and a last line cut off by the sample', () => {
    const sample = sampleCsv('\uFEFFEmail,First Name\na@x.io,Ada\nb@x.io,Bo', 20, false);
    expect(sample.headers).toEqual(['Email', 'First Name']);
    expect(sample.rows).toEqual([['a@x.io', 'Ada']]);
  });

  it('gives distinct, non-empty examples of a column', () => {
    const sample = sampleCsv('email,tag\na@x.io,\na@x.io,vip\nb@x.io,vip\n');
    expect(columnExamples(sample, 'email')).toEqual(['a@x.io', 'b@x.io']);
    expect(columnExamples(sample, 'tag')).toEqual(['vip']);
    expect(columnExamples(sample, 'missing')).toEqual([]);
  });
});

describe('column mapping', () => {
  const suggested = { Email: 'email', 'First Name': 'first_name', Notes: 'custom_fields.notes', Fax: null };

  it('sends only what a person changed, so the server ranks the rest itself', () => {
    expect(mappingOverrides(suggested, { ...suggested })).toBeNull();
    expect(mappingOverrides(suggested, { ...suggested, Fax: 'phone', Email: null })).toEqual({ Fax: 'phone', Email: null });
  });

  it('lists every header, the server’s suggestion where it has one', () => {
    expect(completeMapping(['Email', 'Fax'], { Email: 'email', 'Notes (from line 3)': null })).toEqual({
      Email: 'email',
      Fax: null,
      'Notes (from line 3)': null,
    });
  });

  it('warns when no row could import', () => {
    expect(missingEssentials('contacts', { Fax: null, Notes: 'custom_fields.notes' })).toMatch(/name, an email or a phone/);
    expect(missingEssentials('contacts', { Mobile: 'phone' })).toBeNull();
    expect(missingEssentials('deals', { Amount: 'amount' })).toMatch(/title/);
    expect(missingEssentials('deals', { Name: 'title' })).toBeNull();
  });

  it('names fields filled by several columns', () => {
    expect(sharedFields({ Mobile: 'phone', 'Work phone': 'phone', Email: 'email', X: null })).toEqual(['phone']);
  });

  it('offers a custom field already chosen beside the object’s fields', () => {
    const choices = fieldChoices('contacts', 'custom_fields.shoe_size').map((c) => c.field);
    expect(choices).toContain('email');
    expect(choices).toContain('custom_fields.shoe_size');
    expect(fieldChoices('deals', null).map((c) => c.field)).toContain('expected_close_date');
  });
});

describe('progress', () => {
  it('is a percentage once the rows are counted', () => {
    expect(progressPercent(base)).toBe(24);
    expect(progressPercent({ ...base, total: null })).toBeNull();
    expect(progressPercent({ ...base, status: 'done', processed: 5000 })).toBe(100);
    expect(progressPercent({ ...base, total: 0, processed: 0 })).toBe(100);
  });

  it('says where it is in words', () => {
    expect(progressLabel(base)).toBe('1,200 of 5,000 rows (24%)');
    expect(progressLabel({ ...base, status: 'queued', processed: 0 })).toMatch(/Waiting/);
    expect(progressLabel({ ...base, total: null, processed: 0 })).toBe('Counting rows…');
    expect(progressLabel({ ...base, status: 'done', processed: 1 })).toBe('Done: 1 row');
    expect(progressLabel({ ...base, status: 'failed', error: 'unreadable file' })).toBe('Failed: unreadable file');
  });

  it('lists created and failed always, merged and skipped when there are any', () => {
    expect(outcomeParts(base).map((p) => `${p.label} ${p.value}`)).toEqual(['Created 1000', 'Merged 150', 'Failed 50']);
    expect(outcomeParts({ ...base, merged: 0 }, true).map((p) => p.label)).toEqual(['Would create', 'Would fail']);
  });

  it('stops asking once the import is finished', () => {
    expect(pollInterval(undefined, 0)).toBe(500);
    expect(pollInterval(base, 60_000)).toBe(1500);
    expect(pollInterval({ ...base, status: 'done' }, 0)).toBe(false);
    expect(pollInterval({ ...base, status: 'failed' }, 0)).toBe(false);
  });
});

describe('the preview table', () => {
  const entries = previewEntries([
    { row: 1, outcome: 'created', record: { first_name: 'Ada', email: 'ada@x.io', owner_id: 'u1', tags: ['vip', 'eu'] } },
    { row: 2, outcome: 'failed', reason: 'invalid email' },
    'not an entry',
    { row: 3, outcome: 'merged', record: { last_name: 'Lovelace', custom_fields: { notes: 'met at expo' } } },
  ]);

  it('keeps well-formed entries and shows the fields rows have, preferred ones first, no ids', () => {
    expect(entries.map((e) => e.row)).toEqual([1, 2, 3]);
    expect(previewColumns('contacts', entries)).toEqual(['first_name', 'last_name', 'email', 'tags', 'custom_fields']);
  });

  it('writes lists and objects as readable text', () => {
    expect(cellText(['vip', 'eu'])).toBe('vip, eu');
    expect(cellText({ notes: 'met at expo', empty: null })).toBe('notes: met at expo');
    expect(cellText(null)).toBe('');
    expect(cellText(1500)).toBe('1500');
  });
});

describe('the upload', () => {
  it('sends the file and the choices as multipart fields, the mapping as JSON only when there is one', async () => {
    const { uploadBody } = await import('./importData');
    const file = new File(['email\na@x.io\n'], 'people.csv', { type: 'text/csv' });
    const form = uploadBody({ file, object: 'deals', onDuplicate: 'skip', dryRun: true, mapping: { Fax: null, Mobile: 'phone' } });
    expect((form.get('file') as File).name).toBe('people.csv');
    expect([form.get('object'), form.get('on_duplicate'), form.get('dry_run')]).toEqual(['deals', 'skip', 'true']);
    expect(JSON.parse(form.get('mapping') as string)).toEqual({ Fax: null, Mobile: 'phone' });
    const plain = uploadBody({ file, object: 'contacts', onDuplicate: 'merge', dryRun: false, mapping: null });
    expect(plain.get('dry_run')).toBe('false');
    expect(plain.has('mapping')).toBe(false);
  });
});
