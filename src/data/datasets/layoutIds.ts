// The built-in dataset layouts by id, in the order they are tried, apart from the layouts
// themselves (which load zod to check records): `gog help` lists them without loading it.
// layouts.ts holds one layout per id, in this order (a unit test checks).
export const LAYOUT_IDS = ['verl', 'livevqa', 'mmsearch', 'dynvqa', 'simplevqa', 'infoseek', 'livevqa-webwatcher', 'generic'] as const;
export type LayoutId = (typeof LAYOUT_IDS)[number];
