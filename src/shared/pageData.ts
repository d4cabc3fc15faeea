// Ids of the JSON data blocks a trajectory page may carry; zod-free, as the webview bundle reads them.

/** The first `init` of a panel's page, drawn before `ready` (trajectoryPage.ts). */
export const EMBEDDED_INIT_ID = 'gog-init';
