/**
 * Unsigned LEB128 (7 bits a byte, low group first, high bit = more follows), the integer
 * encoding of both token formats (tokens.ts, confirm-token.ts). Values up to 2^53 are read;
 * a longer run or a truncated one reads as null.
 */
export function leb128(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Buffer.from(out);
}

export function readLeb128(bytes: Buffer, start: number): { value: number; next: number } | null {
  let value = 0;
  let factor = 1;
  let at = start;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined || factor > 2 ** 49) return null;
    value += (byte & 0x7f) * factor;
    factor *= 128;
    if ((byte & 0x80) === 0) return { value, next: at };
  }
}
