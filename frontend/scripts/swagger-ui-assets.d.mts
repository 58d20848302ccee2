import type { Plugin } from "vite";

export function swaggerUiAssets(): Plugin;
