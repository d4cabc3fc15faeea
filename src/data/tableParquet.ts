// A run table as Parquet, with the writer `gog export-rl` uses (hyparquet-writer): one flat
// column per table column, typed as pandas, DuckDB and Arrow expect (UTF-8 strings, doubles,
// 64-bit integers, booleans), OPTIONAL where a cell may be null and REQUIRED elsewhere.
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnType, TableColumn, TableRow } from './runTable';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

function element(c: TableColumn): SchemaElement {
  const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  const t: ColumnType = c.type;
  switch (t) {
    case 'string':
      return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'double':
      return { name: c.name, type: 'DOUBLE', repetition_type };
    case 'int64':
      return { name: c.name, type: 'INT64', repetition_type };
    case 'boolean':
      return { name: c.name, type: 'BOOLEAN', repetition_type };
    default: {
      const never: never = t;
      throw new Error(`no Parquet type for ${String(never)}`);
    }
  }
}

export function tableParquet(columns: readonly TableColumn[], rows: readonly TableRow[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map(element)],
    columnData: columns.map((c, i) => ({
      name: c.name,
      // INT64 is written from BigInts; counts are whole numbers in range (results.ts checks them).
      data: rows.map((row) => {
        const v = row[i]!;
        return c.type === 'int64' && typeof v === 'number' ? BigInt(v) : v;
      }),
    })),
  });
  return new Uint8Array(buffer);
}
