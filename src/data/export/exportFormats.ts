// The training data formats `gog export` writes, apart from the writers (which load the
// image and schema code): the command line's help names them without loading those.
export const EXPORT_FORMATS = ['llama-factory', 'openai'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
