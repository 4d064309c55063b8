// Builds the canvas benchmark's baseline page script (src/harness/baseline.tsx): bare React Flow,
// with React taken from the harness host's globals like the real bundle.
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
    outDir: resolve(HERE, "../airflow_canvas/static/harness"),
    emptyOutDir: false,
    lib: {
      entry: resolve(HERE, "src/harness/baseline.tsx"),
      name: "CanvasBaseline",
      formats: ["umd"],
      fileName: () => "baseline.js",
    },
    rollupOptions: { external: Object.keys(HOST_GLOBALS), output: { globals: HOST_GLOBALS } },
  },
});
