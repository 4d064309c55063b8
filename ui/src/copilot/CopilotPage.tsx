// The "Co-pilot" nav page (react_apps entry named "Co-pilot"). Placeholder owned by the co-pilot
// engineer, who replaces it; main.tsx registers it as globalThis["Co-pilot"], which Airflow's UI
// looks up by the entry's name before falling back to globalThis.AirflowPlugin (the Canvas).
export default function CopilotPage() {
  return (
    <div className="cv-root" data-testid="copilot-page">
      <div className="cv-list">
        <h2 style={{ fontSize: 18 }}>Co-pilot</h2>
        <p>Open a workflow in Canvas and use the Co-pilot tab in its right-hand dock.</p>
      </div>
    </div>
  );
}
