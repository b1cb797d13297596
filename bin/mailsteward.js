#!/usr/bin/env node
// Loads the TypeScript CLI through tsx's loader, so no build step is needed.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/index.ts");
