/** Element type OIDs of the arrays {@link binaryArrays} writes. */
const TEXT_OID = 25;
const INT8_OID = 20;
/** One dimension: ndim, null flag, element type, length, lower bound (int32 each). */
const HEADER_BYTES = 20;
const TWO_32 = 4_294_967_296;

/**
 * `text[]` and `bigint[]` statement parameters in PostgreSQL's binary array format (what
 * `array_send` writes and `array_recv` reads): per array a 20-byte header (one dimension, whether
 * it holds a NULL, the element type, the length, lower bound 1), then each element as its byte
 * length (-1 for NULL) and its bytes: text as UTF-8, a bigint as 8 bytes big-endian.
 *
 * node-pg sends a Buffer parameter as it is, in binary format, and PostgreSQL takes its type
 * from the statement (`$1::text[]`). In text format node-pg quotes every element and escapes
 * its quotes and backslashes (`arrayString`: two regex replaces per element, a string built by
 * concatenation, then a second UTF-8 pass into the message), and the server parses that back
 * (`array_in`); the send batch's 11 text arrays carry the message JSON twice over, every one of
 * its quotes escaped. Here each string is written once, as is, into one buffer for every array
 * (bench/README.md, PostgreSQL round 8). Returns one Buffer per array, `texts` first, then
 * `bigints`, each a view of that buffer.
 *
 * Strings are encoded as node-pg encodes text parameters (`Buffer.write`, UTF-8; a lone
 * surrogate becomes U+FFFD), so the server receives the same bytes. Bigints must be safe
 * integers (they are epoch milliseconds here); anything else throws rather than being rounded.
 */
export function binaryArrays(
  texts: readonly (readonly (string | null)[])[],
  bigints: readonly (readonly number[])[] = [],
): Buffer[] {
  let size = 0;
  for (const values of texts) {
    size += HEADER_BYTES + 4 * values.length;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair: 4 for 2 units).
    for (const s of values) if (s !== null) size += 3 * s.length;
  }
  for (const values of bigints) size += HEADER_BYTES + 12 * values.length;
  const buf = Buffer.allocUnsafe(size);
  const out: Buffer[] = [];
  let o = 0;
  for (const values of texts) {
    const start = o;
    o = header(buf, o, values.length, values.includes(null), TEXT_OID);
    for (const s of values) {
      if (s === null) {
        buf.writeInt32BE(-1, o);
        o += 4;
      } else {
        const written = buf.write(s, o + 4);
        buf.writeInt32BE(written, o);
        o += 4 + written;
      }
    }
    out.push(buf.subarray(start, o));
  }
  for (const values of bigints) {
    const start = o;
    o = header(buf, o, values.length, false, INT8_OID);
    for (const n of values) {
      if (!Number.isSafeInteger(n)) throw new TypeError(`not a safe integer for bigint[]: ${n}`);
      const high = Math.floor(n / TWO_32);
      buf.writeInt32BE(8, o);
      buf.writeInt32BE(high, o + 4);
      buf.writeUInt32BE(n - high * TWO_32, o + 8);
      o += 12;
    }
    out.push(buf.subarray(start, o));
  }
  return out;
}

function header(buf: Buffer, o: number, length: number, hasNull: boolean, oid: number): number {
  buf.writeInt32BE(1, o);
  buf.writeInt32BE(hasNull ? 1 : 0, o + 4);
  buf.writeInt32BE(oid, o + 8);
  buf.writeInt32BE(length, o + 12);
  buf.writeInt32BE(1, o + 16);
  return o + HEADER_BYTES;
}

/** The elements of one array {@link binaryArrays} wrote (text as strings): its inverse, for tests. */
export function elementsOf(array: Buffer): (string | number | null)[] {
  const oid = array.readInt32BE(8);
  const length = array.readInt32BE(12);
  const out: (string | number | null)[] = [];
  let o = HEADER_BYTES;
  for (let i = 0; i < length; i++) {
    const bytes = array.readInt32BE(o);
    o += 4;
    if (bytes === -1) out.push(null);
    else if (oid === INT8_OID) out.push(array.readInt32BE(o) * TWO_32 + array.readUInt32BE(o + 4));
    else out.push(array.toString("utf8", o, o + bytes));
    if (bytes > 0) o += bytes;
  }
  return out;
}
