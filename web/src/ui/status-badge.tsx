/** A session or message status as a coloured, labelled badge (colour is never the only signal). */
export function StatusBadge(props: { status: string; label?: string }) {
  return (
    <span className={`badge badge-${props.status}`} data-status={props.status}>
      {props.label ?? props.status.replace(/_/g, ' ')}
    </span>
  );
}
