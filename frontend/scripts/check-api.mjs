// Fails (exit 1) when src/api/schema.d.ts is not what openapi-typescript makes of ../openapi.yaml,
// so CI catches a client that drifted from the backend's contract.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const checkedIn = join(root, 'src/api/schema.d.ts');
const dir = mkdtempSync(join(tmpdir(), 'rapport-api-'));
const fresh = join(dir, 'schema.d.ts');
try {
  execFileSync(process.execPath, [join(root, 'node_modules/openapi-typescript/bin/cli.js'), join(root, '../openapi.yaml'), '-o', fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const a = readFileSync(checkedIn, 'utf8');
  const b = readFileSync(fresh, 'utf8');
  if (a !== b) {
    const al = a.split('\n');
    const bl = b.split('\n');
    const first = al.findIndex((line, i) => line !== bl[i]);
    console.error(`src/api/schema.d.ts is stale: it differs from ../openapi.yaml at line ${first + 1}. Run \`npm run gen:api\`.`);
    process.exit(1);
  }
  console.log('src/api/schema.d.ts matches ../openapi.yaml');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
