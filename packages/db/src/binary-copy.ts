/**
 * A reader for Postgres binary COPY output whose columns are all fixed-width and non-null (int4,
 * float8). Large aggregates arrive straight in typed arrays: no per-row objects, no text parsing.
 */

export type FixedColumnType = 'int4' | 'float8';
export type FixedColumn = Int32Array | Float64Array;

const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const width: Record<FixedColumnType, number> = { int4: 4, float8: 8 };

class GrowableColumns {
  length = 0;
  columns: FixedColumn[];

  constructor(readonly types: readonly FixedColumnType[]) {
    this.columns = types.map((type) => allocate(type, 1024));
  }

  reserve(rows: number): void {
    if (this.length + rows <= this.columns[0]!.length) return;
    const capacity = Math.max(this.columns[0]!.length * 2, this.length + rows);
    this.columns = this.columns.map((column, i) => {
      const grown = allocate(this.types[i]!, capacity);
      grown.set(column.subarray(0, this.length) as never);
      return grown;
    });
  }

  trimmed(): FixedColumn[] {
    return this.columns.map((column) => column.slice(0, this.length));
  }
}

function allocate(type: FixedColumnType, length: number): FixedColumn {
  return type === 'int4' ? new Int32Array(length) : new Float64Array(length);
}

/** Collect every row of a `COPY (...) TO STDOUT (FORMAT binary)` stream into one typed array per column. */
export async function readFixedBinaryCopy(
  stream: AsyncIterable<Buffer>,
  types: readonly FixedColumnType[],
): Promise<FixedColumn[]> {
  const tupleBytes = 2 + types.reduce((sum, type) => sum + 4 + width[type], 0);
  const out = new GrowableColumns(types);
  let pending: Buffer = Buffer.alloc(0);
  let headerRead = false;
  let ended = false;

  for await (const chunk of stream) {
    let buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    if (!headerRead) {
      if (buffer.length < signature.length + 8) {
        pending = buffer;
        continue;
      }
      if (!buffer.subarray(0, signature.length).equals(signature))
        throw new Error('not a binary COPY stream');
      const extension = buffer.readInt32BE(signature.length + 4);
      offset = signature.length + 8 + extension;
      headerRead = true;
    }
    out.reserve(Math.floor((buffer.length - offset) / tupleBytes));
    while (!ended && buffer.length - offset >= 2) {
      const fields = buffer.readInt16BE(offset);
      if (fields === -1) {
        ended = true;
        offset += 2;
        break;
      }
      if (fields !== types.length)
        throw new Error(`binary COPY row has ${fields} fields, expected ${types.length}`);
      if (buffer.length - offset < tupleBytes) break;
      offset += 2;
      const row = out.length;
      for (let c = 0; c < types.length; c++) {
        const size = buffer.readInt32BE(offset);
        if (size !== width[types[c]!])
          throw new Error(`binary COPY field ${c} has ${size} bytes (null or wrong type)`);
        offset += 4;
        const column = out.columns[c]!;
        column[row] = types[c] === 'int4' ? buffer.readInt32BE(offset) : buffer.readDoubleBE(offset);
        offset += size;
      }
      out.length++;
    }
    buffer = buffer.subarray(offset);
    pending = Buffer.from(buffer);
  }
  if (!ended) throw new Error('binary COPY stream ended without its trailer');
  return out.trimmed();
}
