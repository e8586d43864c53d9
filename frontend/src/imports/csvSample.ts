/**
 * A first look at a CSV in the browser: its header and first rows, so the mapping screen can show
 * what each column holds before the server has read the file. The server's reading (encoding,
 * delimiter, a header after notes) is the one that counts; this only feeds the examples.
 */

export type CsvSample = { headers: string[]; rows: string[][]; delimiter: string };

const DELIMITERS = [',', ';', '\t', '|'] as const;
/** Enough for a header and 20 rows of any sane export. */
export const SAMPLE_BYTES = 64 * 1024;

/** The delimiter that splits the first line into the most fields (quotes respected). */
export function detectDelimiter(firstLine: string): string {
  let best: string = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = splitRecords(firstLine, d, 1)[0]?.length ?? 0;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** RFC 4180 records (quoted fields, doubled quotes, newlines inside quotes), at most `limit`. */
export function splitRecords(text: string, delimiter: string, limit: number): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    record.push(field);
    field = '';
    // A blank line is not a record.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  while (i < text.length && records.length < limit) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i += 1;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i += 1;
    } else {
      field += c;
    }
    i += 1;
  }
  if (records.length < limit && (field !== '' || record.length > 0)) endRecord();
  return records;
}

/** The header and up to `rows` data rows of the start of a file. A cut-off last line is dropped. */
export function sampleCsv(text: string, rows = 20, complete = true): CsvSample {
  let body = text.replace(/^\uFEFF/, '');
  if (!complete) {
    // The sample ends mid-file: its last line may be cut in half.
    const lastBreak = body.lastIndexOf('\n');
    if (lastBreak > 0) body = body.slice(0, lastBreak);
  }
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = detectDelimiter(firstLine);
  const [headers = [], ...data] = splitRecords(body, delimiter, rows + 1);
  return { headers: headers.map((h) => h.trim()), rows: data, delimiter };
}

/** Up to `count` distinct non-empty values of a column, as examples of what it holds. */
export function columnExamples(sample: CsvSample, header: string, count = 2): string[] {
  const index = sample.headers.indexOf(header);
  if (index < 0) return [];
  const seen: string[] = [];
  for (const row of sample.rows) {
    const value = (row[index] ?? '').trim();
    if (value && !seen.includes(value)) seen.push(value);
    if (seen.length >= count) break;
  }
  return seen;
}

export async function readSample(file: Blob): Promise<CsvSample> {
  const text = await file.slice(0, SAMPLE_BYTES).text();
  return sampleCsv(text, 20, file.size <= SAMPLE_BYTES);
}
