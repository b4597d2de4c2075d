/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Everything the client needs is in the build: no CDN, no remote font.
// VITE_FUNCTIONS_URL, VITE_SUPABASE_URL and VITE_SUPABASE_PUBLISHABLE_KEY point a build
// hosted elsewhere at a project (see README); unset, the client calls its own origin.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2022" },
  server: {
    proxy: {
      "/functions": "http://127.0.0.1:54321",
      "/storage": "http://127.0.0.1:54321",
    },
  },
  test: { include: ["test/**/*.test.ts"], environment: "node" },
});
