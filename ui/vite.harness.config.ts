// A stand-in for Airflow's host page, used by ui/index.html's static twin (harness.html), the
// benchmark and tests without Airflow: it puts React, ReactDOM and the JSX runtime on globalThis
// exactly as Airflow's UI does, then the real plugin bundle is loaded on top of it.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const HERE = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: resolve(HERE, "../airflow_canvas/static/harness"),
    emptyOutDir: false,
    lib: {
      entry: resolve(HERE, "src/harness/host.ts"),
      name: "CanvasHost",
      formats: ["iife"],
      fileName: () => "host.js",
    },
  },
});
