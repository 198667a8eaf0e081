/**
 * NDJSON and Parquet encodings of an outcome export, produced batch by batch so memory stays bounded
 * by one Parquet row group whatever the number of rows.
 */
import type { ExportColumn, ExportColumnKind, ExportRow } from '@frontline/db';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';

export async function* ndjsonChunks(batches: AsyncIterable<ExportRow[]>): AsyncGenerator<string> {
  for await (const rows of batches) {
    let text = '';
    for (const row of rows) text += `${JSON.stringify(row)}\n`;
    yield text;
  }
}

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

const parquetTypes: Record<ExportColumnKind, Omit<SchemaElement, 'name'>> = {
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

export function parquetSchema(columns: readonly ExportColumn[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((c) => ({ name: c.name, repetition_type: 'REQUIRED' as const, ...parquetTypes[c.kind] })),
  ];
}

function columnData(columns: readonly ExportColumn[], rows: readonly ExportRow[]) {
  return columns.map((c) => {
    const values = rows.map((row) => row[c.name]!);
    return {
      name: c.name,
      data: c.kind === 'int64' ? values.map((v) => BigInt(v as number)) : values,
    };
  });
}

/** The bytes the writer holds since the last take, handed over and forgotten. */
function take(writer: ByteWriter): Uint8Array {
  const bytes = new Uint8Array(writer.buffer.slice(0, writer.index));
  writer.index = 0;
  return bytes;
}

/**
 * Parquet file bytes: one row group per `rowGroupRows` rows (the batches are regrouped), each written
 * out as soon as it is complete.
 */
export async function* parquetChunks(
  columns: readonly ExportColumn[],
  batches: AsyncIterable<ExportRow[]>,
  rowGroupRows = 50_000,
): AsyncGenerator<Uint8Array> {
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({ writer, schema: parquetSchema(columns), createdBy: 'frontline' });
  let group: ExportRow[] = [];
  const flush = () => {
    parquet.write({ columnData: columnData(columns, group), rowGroupSize: group.length });
    group = [];
    return take(writer);
  };
  for await (const rows of batches) {
    for (const row of rows) group.push(row);
    if (group.length >= rowGroupRows) yield flush();
  }
  if (group.length > 0) yield flush();
  await parquet.finish();
  yield take(writer);
}
