// Entry of static/studio.js (vite.studio.config.ts): hands the studio to the main bundle's loader.
import ToolStudio from "./ToolStudio";

(globalThis as Record<string, unknown>).CanvasToolStudio = ToolStudio;
