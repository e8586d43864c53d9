/** Where deleted records wait: a pointer to the Trash, which anyone who may edit records can use. */
import { Link } from 'react-router';

export function DeletedRecords() {
  return (
    <p>
      Deleted contacts, accounts, deals and activities are kept for 30 days: <Link to="/trash">open the Trash</Link> to restore them.
    </p>
  );
}
