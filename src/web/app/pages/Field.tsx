import type { ComponentChildren } from 'preact';

/** A labelled field with the host's refusal under it (aria-invalid and aria-describedby point at it). */
export function Field({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error: string | undefined;
  children: (a: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ComponentChildren;
}) {
  const a =
    error === undefined ? { id } : { id, 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-error` };
  return (
    <div class={error === undefined ? 'field' : 'field invalid'}>
      <label for={id}>{label}</label>
      {children(a)}
      {error !== undefined && (
        <p class="field-error" id={`${id}-error`} data-error-for={id}>
          {error}
        </p>
      )}
    </div>
  );
}
