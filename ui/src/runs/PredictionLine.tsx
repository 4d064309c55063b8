// "Next run: ~12 s, ~$0.04" from the metrics route's prediction, with the budget when one is set.
import { formatDuration } from "../state/status";
import type { Prediction } from "./api";
import { formatCost } from "./runData";

// Shown twice at once (the Run form over the Runs tab), so each place passes its own test id.
export function PredictionLine({
  prediction,
  testId = "run-prediction",
}: {
  prediction: Prediction | null;
  testId?: string;
}) {
  if (!prediction || (prediction.duration_seconds == null && prediction.cost_usd == null)) return null;
  const parts = [
    prediction.duration_seconds != null ? `~${formatDuration(prediction.duration_seconds)}` : "",
    prediction.cost_usd != null ? `~${formatCost(prediction.cost_usd) || "$0"}` : "",
  ].filter(Boolean);
  const over =
    prediction.cost_budget_usd != null &&
    prediction.cost_usd != null &&
    prediction.cost_usd > prediction.cost_budget_usd;
  return (
    <p
      className="cv-help"
      data-testid={testId}
      title={
        `Median durations of recent successful runs along the critical path (${prediction.critical_path.join(
          " → ",
        )}); cost from median tokens at each node's model price.` +
        (prediction.nodes_without_history.length
          ? ` No history yet for: ${prediction.nodes_without_history.join(", ")}.`
          : "")
      }
    >
      Predicted next run: {parts.join(", ")}
      {prediction.cost_budget_usd != null && (
        <span style={{ color: over ? "#c62828" : undefined }}>
          {" "}
          (budget {formatCost(prediction.cost_budget_usd)}
          {over ? ": likely over" : ""})
        </span>
      )}
    </p>
  );
}
