/** `'name'` quoted for error messages. */
export function quoteFile(file: string): string {
  return `'${file}'`;
}

/** `0x00000803`. */
export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}
