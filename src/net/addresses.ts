// Which IP addresses are the public internet. A URL that came from the web (a result's page
// or thumbnail, a redirect, a dataset's image) may only be fetched from a public address, so
// a hostile page cannot make this host read from itself, the local network or a cloud
// metadata service. The decision is made on the address's bytes, never on how it is
// spelled: IPv6 is parsed into its 16 bytes, and every IPv6 form that carries an IPv4 address
// (mapped, compatible, translated, NAT64, 6to4, Teredo) is judged by the IPv4 address inside.

/** A block of addresses: the first `bits` bits of `prefix`. */
interface Block {
  prefix: readonly number[];
  bits: number;
  name: string;
}

const block = (prefix: readonly number[], bits: number, name: string): Block => ({ prefix, bits, name });

/** IPv4 blocks that are not the public internet (IANA special-purpose registry, RFC 6890 and successors). */
const IPV4_SPECIAL: readonly Block[] = [
  block([0], 8, 'unspecified ("this network", 0.0.0.0/8)'),
  block([10], 8, 'private (10.0.0.0/8)'),
  block([100, 64], 10, 'carrier-grade NAT (100.64.0.0/10)'),
  block([127], 8, 'loopback (127.0.0.0/8)'),
  block([169, 254], 16, 'link-local (169.254.0.0/16, cloud metadata)'),
  block([172, 16], 12, 'private (172.16.0.0/12)'),
  block([192, 0, 0], 24, 'IETF protocol assignments (192.0.0.0/24)'),
  block([192, 0, 2], 24, 'documentation (192.0.2.0/24)'),
  block([192, 88, 99], 24, '6to4 relay anycast (192.88.99.0/24)'),
  block([192, 168], 16, 'private (192.168.0.0/16)'),
  block([198, 18], 15, 'benchmarking (198.18.0.0/15)'),
  block([198, 51, 100], 24, 'documentation (198.51.100.0/24)'),
  block([203, 0, 113], 24, 'documentation (203.0.113.0/24)'),
  block([224], 4, 'multicast (224.0.0.0/4)'),
  block([240], 4, 'reserved or broadcast (240.0.0.0/4)'),
];

const hex = (n: number): number[] => [n >> 8, n & 0xff];

/** IPv6 blocks inside global unicast (2000::/3) that are not the public internet. */
const IPV6_SPECIAL_GLOBAL: readonly Block[] = [
  block([...hex(0x2001), ...hex(0x0db8)], 32, 'documentation (2001:db8::/32)'),
  block([...hex(0x2001), ...hex(0x0002), 0, 0], 48, 'benchmarking (2001:2::/48)'),
  block([...hex(0x2001), ...hex(0x0010)], 28, 'ORCHID (2001:10::/28)'),
  block([...hex(0x2001), ...hex(0x0020)], 28, 'ORCHIDv2 (2001:20::/28)'),
  block([...hex(0x3fff)], 20, 'documentation (3fff::/20)'),
];

/** IPv6 blocks outside global unicast, named for the message (everything outside 2000::/3 is refused). */
const IPV6_SPECIAL_OTHER: readonly Block[] = [
  block([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'discard-only (100::/64)'),
  block([...hex(0x0064), ...hex(0xff9b), ...hex(0x0001)], 48, 'local-use NAT64 (64:ff9b:1::/48)'),
  block([0xfc], 7, 'unique local (fc00::/7)'),
  block([0xfe, 0x80], 10, 'link-local (fe80::/10)'),
  block([0xfe, 0xc0], 10, 'site-local (fec0::/10)'),
  block([0xff], 8, 'multicast (ff00::/8)'),
];

function inBlock(bytes: Uint8Array, b: Block): boolean {
  let bits = b.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((b.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** `a.b.c.d` in decimal, as URLs and DNS answers write it: 4 bytes, or undefined for anything else. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, p] of parts.entries()) {
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    bytes[i] = Number(p);
  }
  return bytes;
}

/** An IPv6 address (brackets and a zone allowed) as its 16 bytes, or undefined when it is not one. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // A dotted quad ends the address: it may not stand before "::".
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** The IPv4 address an IPv6 address carries, and the form it carries it in; undefined for a plain IPv6 address. */
export function embeddedIPv4(b: Uint8Array): { v4: Uint8Array; form: string } | undefined {
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  const last = () => b.slice(12, 16);
  // ::ffff:a.b.c.d, mapped (RFC 4291)
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return { v4: last(), form: 'IPv4-mapped' };
  // ::a.b.c.d, compatible (deprecated by RFC 4291, still routed by some stacks)
  if (zeros(0, 12)) return { v4: last(), form: 'IPv4-compatible' };
  // ::ffff:0:a.b.c.d, translated (RFC 2765)
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12)) return { v4: last(), form: 'IPv4-translated' };
  // 64:ff9b::a.b.c.d, NAT64 well-known prefix (RFC 6052)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return { v4: last(), form: 'NAT64' };
  // 2002:AABB:CCDD::, 6to4 (RFC 3056)
  if (b[0] === 0x20 && b[1] === 0x02) return { v4: b.slice(2, 6), form: '6to4' };
  // 2001:0:SERVER:FLAGS:PORT:CLIENT, Teredo (RFC 4380): the client's address is stored inverted
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) return { v4: last().map((x) => ~x & 0xff), form: 'Teredo' };
  return undefined;
}

/** The address as bytes: 4 for IPv4, 16 for IPv6; undefined when it is neither. */
export function addressBytes(address: string): Uint8Array | undefined {
  return parseIPv4(address) ?? parseIPv6(address);
}

function ipv4Range(v4: Uint8Array): string | undefined {
  return IPV4_SPECIAL.find((b) => inBlock(v4, b))?.name;
}

/**
 * Why `address` is not a public internet address (the range it lies in, e.g. "loopback
 * (127.0.0.0/8)"), or undefined when it is one. Anything that does not parse as an IP
 * address is not public. This is the one place the decision is made.
 */
export function specialRange(address: string): string | undefined {
  const bytes = addressBytes(address);
  if (!bytes) return 'not an IP address';
  if (bytes.length === 4) return ipv4Range(bytes);
  if (bytes.every((x, i) => x === (i === 15 ? 1 : 0))) return 'loopback (::1)';
  if (bytes.every((x) => x === 0)) return 'unspecified (::)';
  const embedded = embeddedIPv4(bytes);
  if (embedded) {
    const inner = ipv4Range(embedded.v4);
    if (inner) return `${inner}, as ${embedded.form} IPv6 ${embedded.v4.join('.')}`;
    // A public IPv4 address in a form that reaches it (mapped, NAT64, 6to4…) is public.
    return undefined;
  }
  const named = IPV6_SPECIAL_GLOBAL.find((b) => inBlock(bytes, b)) ?? IPV6_SPECIAL_OTHER.find((b) => inBlock(bytes, b));
  if (named) return named.name;
  // Only global unicast (2000::/3) is the internet; the rest is reserved.
  if ((bytes[0]! & 0xe0) !== 0x20) return 'reserved (outside 2000::/3)';
  return undefined;
}

/** The public internet, and nothing else. */
export function isPublicAddress(address: string): boolean {
  return specialRange(address) === undefined;
}

/** This machine's loopback: 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackAddress(address: string): boolean {
  const bytes = addressBytes(address);
  if (!bytes) return false;
  if (bytes.length === 4) return bytes[0] === 127;
  if (bytes.every((x, i) => x === (i === 15 ? 1 : 0))) return true;
  const mapped = bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped && bytes[12] === 127;
}

/** Whether two spellings name the same address (an IPv4 address and its IPv4-mapped IPv6 form included). */
export function sameAddress(a: string, b: string): boolean {
  const plain = (address: string): string | undefined => {
    const bytes = addressBytes(address);
    if (!bytes) return undefined;
    const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    return Buffer.from(mapped ? bytes.subarray(12) : bytes).toString('hex');
  };
  const [x, y] = [plain(a), plain(b)];
  return x !== undefined && x === y;
}
