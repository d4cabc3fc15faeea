// What a dataset file yields, whatever its format: records in file order, each with its
// position for messages, or a position that holds no record and why (a broken line).

/** A record (`line 12` in JSON Lines, 1-based; `record 5` in JSON and Parquet, 0-based), or why a position holds none. */
export type RecordItem = { where: string; value: unknown } | { where: string; problem: string };

/** The dataset cannot be read: one line, naming the file or the flag that changes it. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}
