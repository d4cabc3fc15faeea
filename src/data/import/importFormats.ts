// The files `gog import` reads, apart from the readers (which load the image code): the
// command line's help names them without loading those.
export const IMPORT_FORMATS = ['mmsearch-r1', 'openai-chat'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
