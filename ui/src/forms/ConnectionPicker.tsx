// A field holding an Airflow connection id: free text (a connection may exist only on the workers,
// or in a secrets backend the API cannot list) plus a picker of the connections the user may read
// in Airflow, filtered by the types the tool or operator accepts (GET /connections: ids, types and
// descriptions only). Whether a typed id exists is validation's design-time warning
// (W_CONNECTION_UNKNOWN), shown as the field's hint; the picker only says what it lists.
import { useEffect, useState } from "react";
import { api } from "../api/client";
import type { components } from "../api/schema";

export type ConnectionChoices = components["schemas"]["ConnectionChoices"];

// One request per set of types while the page is open; refresh() asks again (a connection created
// in Airflow meanwhile).
const cache = new Map<string, Promise<ConnectionChoices>>();

export function loadConnections(types: string[], refresh = false): Promise<ConnectionChoices> {
  const key = [...types].sort().join(",");
  let found = refresh ? undefined : cache.get(key);
  if (!found) {
    const query = key ? `?conn_type=${encodeURIComponent(key)}` : "";
    found = api<ConnectionChoices>(`/connections${query}`);
    found.catch(() => cache.delete(key)); // a failed request is asked again next time
    cache.set(key, found);
  }
  return found;
}

export function ConnectionPicker({
  value,
  types,
  onChange,
  readOnly,
  invalid,
  testId,
  placeholder,
}: {
  value: string;
  types: string[];
  onChange: (text: string) => void;
  readOnly?: boolean;
  invalid?: boolean;
  testId: string;
  placeholder?: string;
}) {
  const [choices, setChoices] = useState<ConnectionChoices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = types.join(",");
  const load = (refresh = false) => {
    loadConnections(types, refresh).then(
      (c) => {
        setChoices(c);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(() => {
    if (!readOnly) load();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reload only when the accepted types change
  }, [key, readOnly]);
  const listed = choices?.connections ?? [];
  const typeText = types.length ? `type ${types.join(" or ")}` : "any type";
  const known = listed.some((c) => c.connection_id === value);
  return (
    <div className="cv-connection-picker" data-testid={`${testId}-picker`}>
      <div className="cv-row">
        <input
          className={`cv-input ${invalid ? "invalid" : ""}`}
          data-testid={testId}
          value={value}
          readOnly={readOnly}
          placeholder={placeholder}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
        {!readOnly && listed.length > 0 && (
          <select
            className="cv-select"
            data-testid={`${testId}-choose`}
            aria-label="Pick an Airflow connection"
            value={known ? value : ""}
            onChange={(e) => e.target.value && onChange(e.target.value)}
          >
            <option value="">pick…</option>
            {listed.map((c) => (
              <option key={c.connection_id} value={c.connection_id} title={c.description}>
                {c.connection_id} ({c.conn_type || "no type"}){c.description ? ` – ${c.description}` : ""}
              </option>
            ))}
          </select>
        )}
      </div>
      {!readOnly && (
        <span className="cv-help" data-testid={`${testId}-picker-note`}>
          {error
            ? `Could not list connections (${error}); type the id.`
            : choices === null
              ? "Loading connections…"
              : !choices.readable
                ? "Your role may not list Airflow's connections: type the connection id."
                : listed.length === 0
                  ? `No connection of ${typeText} that you may read in Airflow: create one (Admin → Connections) or type an id that exists on the workers.`
                  : `${listed.length} connection${listed.length === 1 ? "" : "s"} of ${typeText}${choices.complete ? "" : " (a secrets backend may hold more)"}.`}{" "}
          {choices && (
            <button
              type="button"
              className="cv-link"
              data-testid={`${testId}-refresh`}
              onClick={() => load(true)}
            >
              refresh
            </button>
          )}
        </span>
      )}
    </div>
  );
}
