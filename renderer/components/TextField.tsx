/** A labelled text input with its validation message; the label names the control for screen readers. */
export function TextField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  type?: 'text' | 'url';
  mono?: boolean;
  placeholder?: string;
}) {
  const { label, value, onChange, error, type = 'text', mono = false, placeholder } = props;
  return (
    <label className="field">
      {label}
      <input
        type={type}
        className={mono ? 'mono' : undefined}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
      />
      {error ? <span className="field-error">{error}</span> : null}
    </label>
  );
}
