/** /import: not built yet; says so plainly. */
import { Empty } from '../ui/States';

export function ImportPage() {
  return (
    <section className="page" aria-labelledby="import-title">
      <title>Import · Rapport</title>
      <h1 id="import-title">Import</h1>
      <Empty title="Importing from a CSV file is coming.">
        <p>Meanwhile an admin can import on the server with the command line: rapport import.</p>
      </Empty>
    </section>
  );
}
