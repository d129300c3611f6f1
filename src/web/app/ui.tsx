import { signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { Problem } from './http.js';

/** Small pieces every page uses: problems shown clearly, a state badge, and the confirmation dialog. */

/** An error as one readable block: what went wrong, the API's code, and its hint. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const p = error instanceof Problem ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      <strong>{message}</strong>
      {p !== undefined && <span class="code"> ({p.code})</span>}
      {p?.hint !== undefined && <p>{p.hint}</p>}
    </div>
  );
}

/** A system's state and why it is so. */
export function StateBadge({ state, reason }: { state: string; reason?: string | undefined }) {
  return (
    <span class="state-cell">
      <span class={`badge state-${state}`} data-state={state}>
        {state}
      </span>
      {reason !== undefined && reason !== state && <span class="reason">{reason}</span>}
    </span>
  );
}

interface Ask {
  title: string;
  body: string;
  action: string;
  resolve: (yes: boolean) => void;
}

const asking = signal<Ask | undefined>(undefined);

/** Asks the user to confirm a destructive action; true when confirmed. */
export function confirmAction(title: string, body: string, action: string): Promise<boolean> {
  return new Promise((resolve) => {
    asking.value = { title, body, action, resolve };
  });
}

/** The modal dialog {@link confirmAction} opens (native `<dialog>`: focus kept inside, Escape cancels). */
export function ConfirmHost() {
  const ref = useRef<HTMLDialogElement>(null);
  const ask = asking.value;
  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (ask !== undefined && !d.open) d.showModal();
    if (ask === undefined && d.open) d.close();
  }, [ask]);
  const answer = (yes: boolean) => {
    ask?.resolve(yes);
    asking.value = undefined;
  };
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={() => answer(false)}>
      {ask !== undefined && (
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <h2 id="confirm-title">{ask.title}</h2>
          <p>{ask.body}</p>
          <div class="buttons">
            <button type="button" onClick={() => answer(false)} autofocus>
              Cancel
            </button>
            <button type="button" class="danger" onClick={() => answer(true)}>
              {ask.action}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
