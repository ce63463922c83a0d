import { resolve } from "node:path";
import { defineConfig } from "vite";

// Two pages: the main window and the Upload window.
export default defineConfig({
  clearScreen: false,
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        upload: resolve(import.meta.dirname, "upload.html"),
      },
    },
  },
});
