/**
 * The console's page modules, mounted under /admin behind the sign-in. Add one
 * import and one entry per module (`src/http/console/<area>-pages.ts`).
 */
import type { ConsoleModule } from "./console-kit.ts";

export const consoleModules: ConsoleModule[] = [];
