/** A timestamp shown short (today: time; else date), with the full ISO value for machines and tooltips. */
export function Time(props: { at: string }) {
  const date = new Date(props.at);
  const today = new Date().toDateString() === date.toDateString();
  const text = today
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
  return (
    <time dateTime={props.at} title={date.toLocaleString()}>
      {text}
    </time>
  );
}
