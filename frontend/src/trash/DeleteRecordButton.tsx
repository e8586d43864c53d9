/** "Delete …" on a record's page: asks once, moves the record to the trash, offers Undo on the next page. */
import { useNavigate } from 'react-router';
import { ProblemAlert } from '../ui/States';
import { showToast } from '../ui/toasts';
import { type DeletableObject, useDeleteRecord, useUndoToast } from './trashData';

type Props = { object: DeletableObject; id: string; name: string; noun: string };

export function DeleteRecordButton({ object, id, name, noun }: Props) {
  const remove = useDeleteRecord(object);
  const undo = useUndoToast();
  const navigate = useNavigate();
  return (
    <>
      <button
        type="button"
        className="button button-quiet"
        disabled={remove.isPending}
        onClick={() => {
          if (!window.confirm(`Delete ${name}? It stays in the trash for 30 days.`)) return;
          remove.mutate(id, {
            onSuccess: () => {
              showToast(undo(object, id, `${name}`));
              // A deal is found on the board; contacts and accounts on their lists.
              navigate(object === 'deals' ? '/pipeline' : `/${object}`);
            },
          });
        }}
      >
        Delete {noun}
      </button>
      <ProblemAlert error={remove.error} />
    </>
  );
}
