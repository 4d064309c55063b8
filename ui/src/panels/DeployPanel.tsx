// Deploy a saved version to an environment (a DAG folder or a Git branch) and see where it is deployed.
// The review shows the environment's target and bindings and whether promotion allows this version.
// A deploy that changes executable code lists that code (against the version deployed there now,
// all of it on a first deploy) and stays disabled until "I have reviewed this code" is ticked; the
// server refuses a deploy whose confirmation does not match the code it would put live.
import { useCallback, useEffect, useState } from "react";
import { Api, type CodeChange, type DeployPreview } from "../api/client";

type DiffLine = { op: " " | "+" | "-"; text: string };

/** A line diff (longest common subsequence) of two code texts: small snippets, so O(n·m) is fine;
 *  past that, everything before is removed and everything after added. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before ? before.split("\n") : [];
  const b = after ? after.split("\n") : [];
  if (a.length * b.length > 4_000_000) {
    return [
      ...a.map((text) => ({ op: "-" as const, text })),
      ...b.map((text) => ({ op: "+" as const, text })),
    ];
  }
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: " ", text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ op: "-", text: a[i++] });
    } else {
      out.push({ op: "+", text: b[j++] });
    }
  }
  while (i < a.length) out.push({ op: "-", text: a[i++] });
  while (j < b.length) out.push({ op: "+", text: b[j++] });
  return out;
}

type Promotion = { requires?: string | null; allowed?: boolean; reason?: string | null };
type Target = {
  kind?: string;
  folder?: string | null;
  git?: { url: string; branch: string; path: string } | null;
  protected?: boolean;
};

/** What the environment makes of this version: where it goes, the names it binds (the compiled file
 *  differs per environment), and whether the promotion rule and the caller's permission let it in. */
export function bindingRows(
  bindings: Record<string, unknown> | null | undefined,
): [string, string, string][] {
  const rows: [string, string, string][] = [];
  for (const [kind, value] of Object.entries(bindings ?? {})) {
    if (value && typeof value === "object") {
      for (const [name, bound] of Object.entries(value as Record<string, unknown>)) {
        rows.push([kind, name, JSON.stringify(bound)]);
      }
    } else if (value) {
      rows.push([kind, "", JSON.stringify(value)]);
    }
  }
  return rows;
}

function EnvironmentReview({ preview }: { preview: DeployPreview }) {
  const target = (preview.target ?? {}) as Target;
  const promotion = (preview.promotion ?? {}) as Promotion;
  const rows = bindingRows(preview.bindings);
  const where = target.git
    ? `Git ${target.git.url}, branch ${target.git.branch}${target.git.path ? `, folder ${target.git.path}` : ""}`
    : `folder ${target.folder ?? ""}`;
  return (
    <div className="cv-env-review" data-testid="deploy-environment-review">
      <p className="cv-help">
        {preview.environment}: {where}
        {target.protected ? " (protected)" : ""}
      </p>
      {rows.length > 0 && (
        <table className="cv-table" data-testid="deploy-bindings">
          <tbody>
            {rows.map(([kind, name, bound]) => (
              <tr key={`${kind}-${name}`}>
                <td>{kind}</td>
                <td>{name}</td>
                <td>
                  <code>{bound}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {promotion.requires && (
        <p className={promotion.allowed ? "cv-help" : "cv-alert"} data-testid="deploy-promotion">
          {promotion.allowed
            ? `Proven in ${promotion.requires}: this version may be promoted.`
            : (promotion.reason ?? `Needs a successful run in ${promotion.requires} first.`)}
        </p>
      )}
      {!preview.may_deploy && (
        <p className="cv-alert" data-testid="deploy-not-permitted">
          You may not deploy to {preview.environment}: it is protected.
        </p>
      )}
    </div>
  );
}

function CodeChangeView({ change, index }: { change: CodeChange; index: number }) {
  const where = change.node_id ? `node ${change.node_id}` : change.tool ? `tool ${change.tool}` : "workflow";
  return (
    <div className="cv-code-change" data-testid={`deploy-code-change-${index}`}>
      <div className="cv-code-change-head">
        <span className={`cv-badge ${change.change}`}>{change.change}</span>
        <strong>{where}</strong> <code>{change.pointer}</code>
        <div className="cv-help">{change.label}</div>
      </div>
      <pre className="cv-code cv-code-diff" data-testid={`deploy-code-diff-${index}`}>
        {lineDiff(change.before_text, change.after_text).map((line, k) => (
          <div key={k} className={line.op === "+" ? "add" : line.op === "-" ? "del" : "same"}>
            {line.op} {line.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

export function DeployPanel({
  workflowId,
  version,
  dirty,
  readOnly,
  onDeployed,
}: {
  workflowId: string;
  version: number | undefined;
  dirty: boolean;
  readOnly: boolean;
  onDeployed: () => void;
}) {
  const [envs, setEnvs] = useState<string[]>([]);
  const [env, setEnv] = useState("");
  const [deployments, setDeployments] = useState<Record<string, unknown>[]>([]);
  const [msg, setMsg] = useState<{ ok?: string; error?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<DeployPreview | null>(null);
  const [reviewed, setReviewed] = useState(false);
  const load = useCallback(async () => {
    try {
      const e = await Api.environments();
      const names = e.map((x) => x.name);
      setEnvs(names);
      setEnv((cur) => cur || names[0] || "");
      setDeployments(await Api.deployments(workflowId));
    } catch (err) {
      setMsg({ error: (err as Error).message });
    }
  }, [workflowId]);
  useEffect(() => void load(), [load]);
  // What this deploy would change in code: reloaded per environment and version, and after a deploy.
  const loadPreview = useCallback(async () => {
    setPreview(null);
    setReviewed(false);
    if (readOnly || !env || version === undefined) return;
    try {
      setPreview(await Api.deployPreview(workflowId, env, version));
    } catch (err) {
      setMsg({ error: (err as Error).message });
    }
  }, [workflowId, env, version, readOnly]);
  useEffect(() => void loadPreview(), [loadPreview]);
  const needsReview = preview?.requires_confirmation ?? false;
  // Refused before asking the server: the promotion rule or the protected environment says no.
  const blocked =
    preview !== null && (!preview.may_deploy || (preview.promotion as Promotion | null)?.allowed === false);
  return (
    <div data-testid="deploy-panel">
      {!readOnly && (
        <div className="cv-section">
          <h3>Deploy</h3>
          {dirty && (
            <p className="cv-help">
              Unsaved changes are not deployed: deploy uses the saved version v{version}.
            </p>
          )}
          <div className="cv-row">
            <select
              className="cv-select"
              data-testid="deploy-env"
              value={env}
              onChange={(e) => setEnv(e.target.value)}
            >
              {envs.map((e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
            </select>
          </div>
          {preview && (
            <div className="cv-code-review" data-testid="deploy-code-review">
              <EnvironmentReview preview={preview} />
              {preview.code_changes.length === 0 ? (
                <p className="cv-help" data-testid="deploy-no-code-changes">
                  No executable code changes{" "}
                  {preview.deployed_version ? `since v${preview.deployed_version}` : ""} in {env}.
                </p>
              ) : (
                <>
                  <p className="cv-help">
                    {preview.deployed_version
                      ? `Code that changes in ${env} since v${preview.deployed_version}, deployed there now:`
                      : `First deploy to ${env}: all the code that will run there:`}
                  </p>
                  {preview.code_changes.map((c, i) => (
                    <CodeChangeView key={`${c.pointer}-${i}`} change={c} index={i} />
                  ))}
                  <label className="cv-check" data-testid="deploy-reviewed-label">
                    <input
                      type="checkbox"
                      data-testid="deploy-reviewed"
                      checked={reviewed}
                      onChange={(e) => setReviewed(e.target.checked)}
                    />
                    I have reviewed this code
                  </label>
                </>
              )}
            </div>
          )}
          <div className="cv-row">
            <button
              className="cv-btn primary"
              data-testid="deploy-confirm"
              disabled={
                !env || busy || version === undefined || !preview || blocked || (needsReview && !reviewed)
              }
              onClick={async () => {
                setBusy(true);
                setMsg(null);
                try {
                  const r = await Api.deploy(
                    workflowId,
                    env,
                    version,
                    needsReview ? preview?.confirm_code : null,
                  );
                  setMsg({ ok: `Deployed v${version} to ${env}${r.path ? ` (${String(r.path)})` : ""}` });
                  onDeployed();
                  await load();
                  await loadPreview();
                } catch (err) {
                  setMsg({ error: (err as Error).message });
                  // The code changed since the review (someone saved or deployed): show it afresh.
                  await loadPreview();
                } finally {
                  setBusy(false);
                }
              }}
            >
              Deploy v{version ?? "?"}
            </button>
          </div>
          {msg?.ok && (
            <p className="cv-ok" data-testid="deploy-result">
              {msg.ok}
            </p>
          )}
          {msg?.error && (
            <div className="cv-alert" data-testid="deploy-error">
              {msg.error}
            </div>
          )}
        </div>
      )}
      <div className="cv-section">
        <h3>Deployments</h3>
        <table className="cv-table">
          <thead>
            <tr>
              <th>Environment</th>
              <th>Version</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((d, i) => (
              <tr key={i} data-testid={`deployment-${String(d.environment)}`}>
                <td>{String(d.environment ?? "")}</td>
                <td>v{String(d.version ?? "?")}</td>
                <td>{d.deployed_at ? new Date(String(d.deployed_at)).toLocaleString() : ""}</td>
              </tr>
            ))}
            {deployments.length === 0 && (
              <tr>
                <td colSpan={3} className="cv-help">
                  Not deployed yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
