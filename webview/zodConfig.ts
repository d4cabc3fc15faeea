// Imported first by runs/main.ts (the trajectory bundle has no zod: protocolChecks.ts): zod
// decides at schema construction whether to compile parsers with `new Function`, which the
// webview's CSP forbids (and reports as a violation).
import { z } from 'zod';

z.config({ jitless: true });
