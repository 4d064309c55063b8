// Deep links into the tool studio: the Canvas page with ?tool=name@version. Kept apart from the studio
// itself so the node panel can link to it without loading the editor.
export const TOOL_PARAM = "tool";

/** The Canvas page opened on ``name`` (at ``version`` when given). */
export function studioUrl(name: string, version?: string | null): string {
  const url = new URL("plugin/canvas", document.baseURI);
  url.searchParams.set(TOOL_PARAM, version ? `${name}@${version}` : name);
  return url.href;
}

/** ``name@version`` (or ``name``) from a ?tool= value; null for none. */
export function parseToolParam(value: string | null): { name: string; version: string | null } | null {
  if (!value) return null;
  const [name, version] = value.split("@");
  return name ? { name, version: version || null } : null;
}

/** Whether the page was opened on the studio (?tool= present, possibly empty). */
export function studioInUrl(): boolean {
  return new URLSearchParams(window.location.search).has(TOOL_PARAM);
}

export function toolFromUrl(): { name: string; version: string | null } | null {
  return parseToolParam(new URLSearchParams(window.location.search).get(TOOL_PARAM));
}

/** Keep the studio's selection in the URL (deep links); null leaves the studio. */
export function setToolInUrl(name: string | null, version: string | null = null, open = true): void {
  const url = new URL(window.location.href);
  if (!open) url.searchParams.delete(TOOL_PARAM);
  else url.searchParams.set(TOOL_PARAM, name ? (version ? `${name}@${version}` : name) : "");
  // replaceState: the host's router keeps owning navigation (as for ?workflow=).
  window.history.replaceState(window.history.state, "", url);
}
