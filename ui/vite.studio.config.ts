// The tool studio as its own file (static/studio.js), loaded by the main bundle only when the studio
// opens: CodeMirror is several hundred kB that the canvas does not need. Same host globals as the
// main bundle (React comes from Airflow's page); the component lands on globalThis.CanvasToolStudio.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const HERE = dirname(fileURLToPath(import.meta.url));

const HOST_GLOBALS: Record<string, string> = {
  react: "React",
  "react-dom": "ReactDOM",
  "react-dom/client": "ReactDOM",
  "react/jsx-runtime": "ReactJSXRuntime",
};

export default defineConfig({
  plugins: [react()],
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: resolve(HERE, "../airflow_canvas/static"),
    emptyOutDir: false,
    sourcemap: false,
    lib: {
      entry: resolve(HERE, "src/studio/entry.ts"),
      name: "CanvasToolStudio",
      formats: ["iife"],
      fileName: () => "studio.js",
    },
    rollupOptions: {
      external: Object.keys(HOST_GLOBALS),
      output: { globals: HOST_GLOBALS },
    },
  },
});
