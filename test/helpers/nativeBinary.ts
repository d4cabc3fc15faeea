// What a native binary was built for, read from its header: ELF (e_machine; the C library
// from the libraries it needs, DT_NEEDED), Mach-O (cputype, every slice of a universal
// file) or PE (the COFF machine). Decided by the bytes, never by the file's name.

export interface NativeBinary {
  format: 'ELF' | 'Mach-O' | 'PE';
  os: string;
  /** Node's names where known (x64, arm64, ia32), else the header's number. */
  arch: string;
  /** ELF only: glibc when it needs libc.so.6, musl when it needs musl's libc, else unknown. */
  libc?: 'glibc' | 'musl' | 'unknown';
  /** ELF only: the libraries it needs. */
  needed?: string[];
}

const ELF_MACHINES: Record<number, string> = { 0x3e: 'x64', 0xb7: 'arm64', 0x03: 'ia32', 0x28: 'arm' };
const MACHO_CPUS: Record<number, string> = { 0x01000007: 'x64', 0x0100000c: 'arm64', 0x07: 'ia32' };
const PE_MACHINES: Record<number, string> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x014c: 'ia32' };
const named = (table: Record<number, string>, n: number) => table[n] ?? `0x${n.toString(16)}`;

/** The binary's target, or undefined when the bytes are not a native binary. */
export function nativeBinary(data: Buffer): NativeBinary | undefined {
  if (data.length >= 64 && data.readUInt32BE(0) === 0x7f454c46) return elf(data);
  if (data.length >= 8 && [0xfeedfacf, 0xfeedface].includes(data.readUInt32LE(0)))
    return { format: 'Mach-O', os: 'darwin', arch: named(MACHO_CPUS, data.readUInt32LE(4)) };
  if (data.length >= 8 && data.readUInt32BE(0) === 0xcafebabe) {
    const slices = Array.from({ length: data.readUInt32BE(4) }, (_, i) => named(MACHO_CPUS, data.readUInt32BE(8 + 20 * i)));
    return { format: 'Mach-O', os: 'darwin', arch: slices.join('+') };
  }
  if (data.length >= 0x40 && data.toString('latin1', 0, 2) === 'MZ') {
    const pe = data.readUInt32LE(0x3c);
    if (pe + 6 <= data.length && data.readUInt32BE(pe) === 0x50450000)
      return { format: 'PE', os: 'win32', arch: named(PE_MACHINES, data.readUInt16LE(pe + 4)) };
  }
  return undefined;
}

function elf(data: Buffer): NativeBinary {
  const osabi = data[7]!;
  const os = osabi === 0 || osabi === 3 ? 'linux' : `ELF OS/ABI ${osabi}`;
  const arch = named(ELF_MACHINES, data.readUInt16LE(18));
  // 64-bit little-endian only (every target here is); anything else is reported, not parsed.
  if (data[4] !== 2 || data[5] !== 1) return { format: 'ELF', os, arch: `${arch} (not 64-bit little-endian)`, libc: 'unknown', needed: [] };
  const needed = neededLibraries(data);
  const glibc = needed.includes('libc.so.6');
  const musl = needed.some((n) => /^libc\.musl-[\w-]+\.so\.1$/.test(n) || n === 'libc.so');
  return { format: 'ELF', os, arch, libc: glibc === musl ? 'unknown' : glibc ? 'glibc' : 'musl', needed };
}

/** DT_NEEDED names: the dynamic segment's entries, named in its string table. */
function neededLibraries(data: Buffer): string[] {
  const phoff = Number(data.readBigUInt64LE(32));
  const phentsize = data.readUInt16LE(54);
  const phnum = data.readUInt16LE(56);
  const segments = Array.from({ length: phnum }, (_, i) => {
    const at = phoff + i * phentsize;
    return {
      type: data.readUInt32LE(at),
      offset: Number(data.readBigUInt64LE(at + 8)),
      vaddr: Number(data.readBigUInt64LE(at + 16)),
      filesz: Number(data.readBigUInt64LE(at + 32)),
    };
  });
  const dynamic = segments.find((s) => s.type === 2);
  if (!dynamic) return [];
  const names: number[] = [];
  let strtab: number | undefined;
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.filesz; at += 16) {
    const tag = Number(data.readBigInt64LE(at));
    const value = Number(data.readBigUInt64LE(at + 8));
    if (tag === 0) break;
    if (tag === 1) names.push(value);
    if (tag === 5) strtab = value;
  }
  // DT_STRTAB is an address: the loadable segment that holds it says where it is in the file.
  const load = segments.find((s) => s.type === 1 && strtab !== undefined && s.vaddr <= strtab && strtab < s.vaddr + s.filesz);
  if (strtab === undefined || !load) return [];
  const table = strtab - load.vaddr + load.offset;
  return names.map((n) => {
    const start = table + n;
    return data.toString('latin1', start, data.indexOf(0, start));
  });
}
