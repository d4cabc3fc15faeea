export type { DatasetProblem, DatasetSample, ImageRef } from './sample';
export { loadDataset, type Dataset, type LoadOptions } from './load';
export { DatasetError } from './records';
export type { DatasetFormat } from './files';
export { LAYOUTS } from './layouts';
export { MappingError, parseFieldMap, type FieldMap } from './mapping';
export { DatasetImages } from './images';
