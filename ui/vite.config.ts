// Builds the plugin bundle Airflow's UI loads for the "Canvas" react_apps entries: one UMD file
// whose global export `AirflowPlugin` is the component. React comes from the host page (a second
// React would break hooks), so react, react-dom and the JSX runtime are externals mapped to the
// globals Airflow 3 puts on globalThis.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const HERE = dirname(fileURLToPath(import.meta.url));

const HOST_GLOBALS: Record<string, string> = {
  react: "React",
  "react-dom": "ReactDOM",
  "react-dom/client": "ReactDOM",
  "react/jsx-runtime": "ReactJSXRuntime",
};

// ELK's layout engine is 1.5 MB: it ships as a separate Web Worker file loaded only when the user
// asks for an auto-layout, which keeps the main bundle small and the layout off the UI thread.
function elkWorkerAsset(): Plugin {
  return {
    name: "elk-worker-asset",
    generateBundle() {
      this.emitFile({
        type: "asset",
        fileName: "elk-worker.min.js",
        source: readFileSync(resolve(HERE, "node_modules/elkjs/lib/elk-worker.min.js")),
      });
    },
  };
}

// `npm run dev` serves ui/index.html and forwards the API, Airflow's login and its REST API to a
// running Airflow (CANVAS_AIRFLOW, default http://localhost:8080): log in at /auth/login/ on the dev
// server so the session cookie is set for it.
const AIRFLOW = process.env.CANVAS_AIRFLOW ?? "http://localhost:8080";

export default defineConfig({
  plugins: [react(), elkWorkerAsset()],
  server: {
    proxy: Object.fromEntries(["/airflow-canvas/api", "/auth", "/api/v2"].map((p) => [p, { target: AIRFLOW, changeOrigin: true }])),
  },
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: resolve(HERE, "../airflow_canvas/static"),
    emptyOutDir: false,
    sourcemap: false,
    lib: {
      entry: resolve(HERE, "src/main.tsx"),
      name: "AirflowPlugin",
      formats: ["umd"],
      fileName: () => "main.js",
    },
    rollupOptions: {
      external: Object.keys(HOST_GLOBALS),
      output: { globals: HOST_GLOBALS, exports: "default" },
    },
  },
});
