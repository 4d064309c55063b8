// The panel's head: which engine answers (offline or the model), tokens used, the template
// gallery, the wizards, and Clear.
import type { Conversation, CopilotStatus, WizardInfo } from "./types";

export function PanelHeader({
  status,
  usage,
  wizards,
  busy,
  readOnly,
  onTemplates,
  onWizard,
  onClear,
}: {
  status: CopilotStatus | null;
  usage: Conversation["usage"] | null;
  wizards: WizardInfo[];
  busy: boolean;
  readOnly: boolean;
  onTemplates: () => void;
  onWizard: (name: string) => void;
  onClear: () => void;
}) {
  return (
    <div className="cv-cp-head">
      <span
        className={`cv-badge cv-cp-engine ${status?.engine ?? ""}`}
        data-testid="copilot-engine"
        title={(status?.engine === "offline" ? status.reason : status?.conn_id) ?? undefined}
      >
        {status ? (status.engine === "llm" ? `LLM · ${status.model}` : "Offline") : "…"}
      </span>
      {usage && (usage.prompt_tokens > 0 || usage.completion_tokens > 0) && (
        <span className="cv-help" data-testid="copilot-usage">
          {usage.prompt_tokens + usage.completion_tokens} tokens
          {usage.cost ? ` · $${usage.cost.toFixed(4)}` : ""}
        </span>
      )}
      <span className="cv-spacer" style={{ flex: 1 }} />
      <button className="cv-btn small" onClick={onTemplates} disabled={busy} data-testid="copilot-templates">
        Templates
      </button>
      <select
        className="cv-select cv-cp-wizard-pick"
        value=""
        disabled={busy || readOnly}
        data-testid="copilot-wizard-pick"
        onChange={(e) => e.target.value && onWizard(e.target.value)}
      >
        <option value="">Wizards…</option>
        {wizards.map((w) => (
          <option key={w.name} value={w.name}>
            {w.title}
          </option>
        ))}
      </select>
      <button className="cv-btn small" onClick={onClear} disabled={busy} title="Forget this conversation">
        Clear
      </button>
    </div>
  );
}
