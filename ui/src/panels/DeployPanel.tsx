// Deploy a saved version to an environment (a DAG folder) and see where it is deployed.
import { useCallback, useEffect, useState } from "react";
import { Api } from "../api/client";

export function DeployPanel({ workflowId, version, dirty, readOnly, onDeployed }: {
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
  const load = useCallback(async () => {
    try {
      const e = await Api.environments();
      const names = e.map((x) => String(x.name ?? x.environment ?? x));
      setEnvs(names);
      setEnv((cur) => cur || names[0] || "");
      setDeployments(await Api.deployments(workflowId));
    } catch (err) {
      setMsg({ error: (err as Error).message });
    }
  }, [workflowId]);
  useEffect(() => void load(), [load]);
  return (
    <div data-testid="deploy-panel">
      {!readOnly && (
        <div className="cv-section">
          <h3>Deploy</h3>
          {dirty && <p className="cv-help">Unsaved changes are not deployed: deploy uses the saved version v{version}.</p>}
          <div className="cv-row">
            <select className="cv-select" data-testid="deploy-env" value={env} onChange={(e) => setEnv(e.target.value)}>
              {envs.map((e) => <option key={e} value={e}>{e}</option>)}
            </select>
            <button className="cv-btn primary" data-testid="deploy-confirm" disabled={!env || busy || version === undefined}
              onClick={async () => {
                setBusy(true);
                setMsg(null);
                try {
                  const r = await Api.deploy(workflowId, env, version);
                  setMsg({ ok: `Deployed v${version} to ${env}${r.path ? ` (${String(r.path)})` : ""}` });
                  onDeployed();
                  await load();
                } catch (err) {
                  setMsg({ error: (err as Error).message });
                } finally {
                  setBusy(false);
                }
              }}>Deploy v{version ?? "?"}</button>
          </div>
          {msg?.ok && <p className="cv-ok" data-testid="deploy-result">{msg.ok}</p>}
          {msg?.error && <div className="cv-alert" data-testid="deploy-error">{msg.error}</div>}
        </div>
      )}
      <div className="cv-section">
        <h3>Deployments</h3>
        <table className="cv-table">
          <thead><tr><th>Environment</th><th>Version</th><th>When</th></tr></thead>
          <tbody>
            {deployments.map((d, i) => (
              <tr key={i} data-testid={`deployment-${String(d.environment)}`}>
                <td>{String(d.environment ?? "")}</td><td>v{String(d.version ?? "?")}</td>
                <td>{d.deployed_at ? new Date(String(d.deployed_at)).toLocaleString() : ""}</td>
              </tr>
            ))}
            {deployments.length === 0 && <tr><td colSpan={3} className="cv-help">Not deployed yet.</td></tr>}
          </tbody>
        </table>
      </div>
    </div>
  );
}
