// Parquet files that lie, for the dataset reader's tests: an honest file written by
// hyparquet-writer with its footer rewritten (row groups repeated over the same pages,
// declared rows that do not add up), and small files written by hand, page headers and all,
// whose pages claim to decode to far more than they hold.
import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ByteWriter } from 'hyparquet-writer/src/bytewriter.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { serializeTCompactProtocol } from 'hyparquet-writer/src/thrift.js';

const MAGIC = Buffer.from('PAR1', 'latin1');

function footerOf(meta: FileMetaData): Buffer {
  const writer = new ByteWriter();
  writeMetadata(writer, meta);
  return Buffer.from(writer.getBuffer());
}

function withFooter(data: Buffer, meta: FileMetaData): Buffer {
  const footer = footerOf(meta);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footer.length);
  return Buffer.concat([data, footer, length, MAGIC]);
}

/** A file's footer, rewritten by `edit`; the pages stay as they are. */
export function rewriteFooter(file: Uint8Array, edit: (meta: FileMetaData) => FileMetaData): Buffer {
  const bytes = Buffer.from(file);
  const meta = parquetMetadata(bytes);
  const footerLength = bytes.readUInt32LE(bytes.length - 8);
  return withFooter(bytes.subarray(0, bytes.length - 8 - footerLength), edit(meta));
}

/** An honest file in the `mapped` layout (`--map question=question,answer=answer,image=image`): `rows` rows in groups of `groupRows`. */
export function honestParquet(rows: number, groupRows: number, image = 'photo.jpg'): Buffer {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'question', data: Array.from({ length: rows }, (_, i) => `What is shown in picture number ${i}?`), type: 'STRING' },
      { name: 'answer', data: Array.from({ length: rows }, (_, i) => `answer ${i}`), type: 'STRING' },
      { name: 'image', data: Array.from({ length: rows }, () => image), type: 'STRING' },
    ],
    rowGroupSize: groupRows,
  });
  return Buffer.from(buf);
}

/** The file: the first row group listed `times` times, every copy over the same pages. */
export function repeatedGroups(file: Uint8Array, times: number): Buffer {
  return rewriteFooter(file, (meta) => {
    const group = meta.row_groups[0]!;
    return { ...meta, row_groups: Array.from({ length: times }, () => group), num_rows: group.num_rows * BigInt(times) };
  });
}

/** Thrift page header fields (hyparquet's numbering). */
interface PageSpec {
  type: 'DATA_PAGE' | 'DICTIONARY_PAGE';
  uncompressed: number;
  body: Buffer;
  numValues: number;
  /** Parquet Encodings: 0 PLAIN, 3 RLE, 8 RLE_DICTIONARY. */
  encoding: number;
}

function page(p: PageSpec): Buffer {
  const writer = new ByteWriter();
  serializeTCompactProtocol(writer, {
    field_1: p.type === 'DATA_PAGE' ? 0 : 2,
    field_2: p.uncompressed,
    field_3: p.body.length,
    ...(p.type === 'DATA_PAGE'
      ? { field_5: { field_1: p.numValues, field_2: p.encoding, field_3: 3, field_4: 3 } }
      : { field_7: { field_1: p.numValues, field_2: p.encoding } }),
  });
  return Buffer.concat([Buffer.from(writer.getBuffer()), p.body]);
}

/** A one-column file (`question`, a required string) of the given pages, as one row group of `rows` rows. */
function handMade(pages: PageSpec[], rows: number, codec: 'UNCOMPRESSED' | 'SNAPPY', hasDictionary: boolean): Buffer {
  const chunk = Buffer.concat(pages.map(page));
  const start = MAGIC.length;
  const dataPage = hasDictionary ? start + page(pages[0]!).length : start;
  const meta: FileMetaData = {
    version: 1,
    schema: [
      { name: 'root', num_children: 1 },
      { name: 'question', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED', converted_type: 'UTF8' },
    ],
    num_rows: BigInt(rows),
    row_groups: [
      {
        columns: [
          {
            file_offset: BigInt(start),
            meta_data: {
              type: 'BYTE_ARRAY',
              encodings: ['PLAIN', 'RLE_DICTIONARY'],
              path_in_schema: ['question'],
              codec,
              num_values: BigInt(rows),
              total_uncompressed_size: BigInt(chunk.length),
              total_compressed_size: BigInt(chunk.length),
              data_page_offset: BigInt(dataPage),
              ...(hasDictionary ? { dictionary_page_offset: BigInt(start) } : {}),
            },
          },
        ],
        total_byte_size: BigInt(chunk.length),
        num_rows: BigInt(rows),
      },
    ],
    metadata_length: 0,
  };
  return withFooter(Buffer.concat([MAGIC, chunk]), meta);
}

/** A few bytes of RLE that declare `values` values (in a row group of `rows` rows): one dictionary entry repeated. */
export function valuesBomb(values: number, rows = values): Buffer {
  const word = Buffer.from('x');
  const dict = Buffer.alloc(4 + word.length);
  dict.writeUInt32LE(word.length);
  word.copy(dict, 4);
  // bit width 1, then one RLE run: header (count << 1), the value 0.
  const run = new ByteWriter();
  run.appendUint8(1);
  run.appendVarInt(values * 2);
  run.appendUint8(0);
  const body = Buffer.from(run.getBuffer());
  return handMade(
    [
      { type: 'DICTIONARY_PAGE', uncompressed: dict.length, body: dict, numValues: 1, encoding: 0 },
      { type: 'DATA_PAGE', uncompressed: body.length, body, numValues: values, encoding: 8 },
    ],
    rows,
    'UNCOMPRESSED',
    true,
  );
}

/** A Snappy page of a few bytes that claims to decode to `bytes` bytes (a reader would allocate them first). */
export function sizeBomb(bytes: number): Buffer {
  const body = Buffer.from([0x01, 0x00]);
  return handMade([{ type: 'DATA_PAGE', uncompressed: bytes, body, numValues: 1, encoding: 0 }], 1, 'SNAPPY', false);
}

/** A footer of `depth` structs each opening the next (a thrift reader recurses through them). */
export function deepFooter(depth: number): Buffer {
  const footer = Buffer.alloc(depth, 0x1c);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footer.length);
  return Buffer.concat([MAGIC, Buffer.alloc(16), footer, length, MAGIC]);
}
