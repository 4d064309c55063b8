// Standalone dev entry (ui/index.html): renders the plugin without Airflow's host page.
import { createRoot } from "react-dom/client";
import flowCss from "@xyflow/react/dist/style.css?inline";
import CanvasPlugin from "./App";
import canvasCss from "./styles.css?inline";

const style = document.createElement("style");
style.textContent = `${flowCss}\n${canvasCss}`;
document.head.appendChild(style);
createRoot(document.getElementById("root")!).render(<CanvasPlugin />);
