// Ways to write an IP address in a URL, as a hostile page would: every IPv4 spelling the
// WHATWG URL parser accepts (decimal, octal, hex, short forms, mixed, a trailing dot,
// percent-encoded and full-width digits) and every IPv6 spelling (compressed, full, leading
// zeros, upper case, a dotted-quad tail) of each form that carries an IPv4 address (mapped,
// compatible, translated, NAT64, 6to4, Teredo), beside native IPv6 special ranges. Each is a
// URL host: `http://${spelling}:port/` is a valid URL.

export interface Spelling {
  /** As written in the URL's host. */
  host: string;
  /** The address it means, for the failure message. */
  means: string;
}

const octets = (a: string): number[] => a.split('.').map(Number);
const u32 = (a: string): number => octets(a).reduce((n, o) => n * 256 + o, 0);
const h4 = (n: number): string => n.toString(16);
const group = (a: string, i: 0 | 1): number => {
  const o = octets(a);
  return i === 0 ? (o[0]! << 8) | o[1]! : (o[2]! << 8) | o[3]!;
};
const pad4 = (n: number): string => n.toString(16).padStart(4, '0');
const FULLWIDTH = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));

/** Every IPv4 form of `a` that new URL() reads as `a`. */
export function ipv4Spellings(a: string): string[] {
  const o = octets(a);
  const n = u32(a);
  const out = [
    a,
    String(n),
    `0x${h4(n)}`,
    `0X${h4(n).toUpperCase()}`,
    `0x${h4(n).padStart(8, '0')}`,
    o.map((x) => `0${x.toString(8)}`).join('.'),
    o.map((x) => `0x${h4(x)}`).join('.'),
    `${o[0]}.${(o[1]! << 16) | (o[2]! << 8) | o[3]!}`,
    `${o[0]}.${o[1]}.${(o[2]! << 8) | o[3]!}`,
    `0x${h4(o[0]!)}.0${o[1]!.toString(8)}.${(o[2]! << 8) | o[3]!}`,
    `${a}.`,
    a.replace(/\d/, (d) => `%3${d}`),
    FULLWIDTH(a),
  ];
  return [...new Set(out)];
}

/** Every IPv6 form that carries the IPv4 address `a`, in several spellings each. */
export function embeddingSpellings(a: string): string[] {
  const [g6, g7] = [group(a, 0), group(a, 1)];
  const inv = (g: number) => ~g & 0xffff;
  const out = [
    // mapped ::ffff:0:0/96
    `[::ffff:${a}]`,
    `[::FFFF:${a}]`,
    `[0:0:0:0:0:ffff:${a}]`,
    `[::ffff:${h4(g6)}:${h4(g7)}]`,
    `[0000:0000:0000:0000:0000:FFFF:${pad4(g6).toUpperCase()}:${pad4(g7).toUpperCase()}]`,
    `[0:0::ffff:${pad4(g6)}:${h4(g7)}]`,
    // compatible ::/96
    `[::${a}]`,
    `[0:0:0:0:0:0:${h4(g6)}:${h4(g7)}]`,
    // translated ::ffff:0:0:0/96
    `[::ffff:0:${a}]`,
    `[0:0:0:0:ffff:0:${h4(g6)}:${h4(g7)}]`,
    // NAT64 64:ff9b::/96, and the local-use 64:ff9b:1::/48
    `[64:ff9b::${a}]`,
    `[0064:FF9B:0000:0000:0000:0000:${pad4(g6)}:${pad4(g7)}]`,
    `[64:ff9b:1::${a}]`,
    // 6to4 2002::/16
    `[2002:${h4(g6)}:${h4(g7)}::]`,
    `[2002:${pad4(g6).toUpperCase()}:${pad4(g7)}:0:0:0:0:1]`,
    // Teredo 2001::/32: the client's address is stored inverted in the last 32 bits
    `[2001:0:4136:e378:8000:63bf:${h4(inv(g6))}:${h4(inv(g7))}]`,
    `[2001:0000:4136:E378:8000:63BF:${pad4(inv(g6)).toUpperCase()}:${pad4(inv(g7)).toUpperCase()}]`,
  ];
  return [...new Set(out)];
}

/** IPv4 addresses that are not the public internet, one or two from each range. */
export const SPECIAL_IPV4 = [
  '127.0.0.1',
  '127.255.255.254',
  '0.0.0.0',
  '10.0.0.1',
  '10.255.255.255',
  '100.64.0.1',
  '100.127.255.254',
  '169.254.169.254',
  '169.254.0.1',
  '172.16.0.1',
  '172.31.255.254',
  '192.0.0.170',
  '192.0.2.1',
  '192.168.1.1',
  '198.18.0.1',
  '198.19.255.254',
  '198.51.100.7',
  '203.0.113.9',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
];

/** Native IPv6 addresses that are not the public internet, in several spellings. */
export const SPECIAL_IPV6 = [
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  '[0000:0000:0000:0000:0000:0000:0000:0001]',
  '[::0:1]',
  '[::]',
  '[0:0:0:0:0:0:0:0]',
  '[0::0]',
  '[fc00::1]',
  '[fd00::1]',
  '[FD12:3456:789A::1]',
  '[fd00:ec2::254]',
  '[FD00:0EC2:0000:0000:0000:0000:0000:0254]',
  '[fe80::1]',
  '[FE80::a:b:c:d]',
  '[febf:ffff::1]',
  '[fec0::1]',
  '[feff::1]',
  '[ff02::1]',
  '[FF05::1:3]',
  '[ff0e::101]',
  '[2001:db8::1]',
  '[2001:0DB8:0000:0000:0000:0000:0000:0001]',
  '[2001:db8:85a3::8a2e:370:7334]',
  '[100::1]',
  '[3fff::1]',
  '[2001:2::1]',
  '[64:ff9b:1::1]',
  '[1::1]',
  '[::2]',
];

/** Public addresses that must stay reachable, written in several ways. */
export const PUBLIC = [
  ...ipv4Spellings('8.8.8.8'),
  '1.1.1.1',
  '16843009',
  '172.32.0.1',
  '100.128.0.1',
  '169.255.0.1',
  '192.169.0.1',
  '11.0.0.1',
  '126.255.255.255',
  '128.0.0.1',
  '223.255.255.255',
  '198.20.0.1',
  '[2606:4700::1111]',
  '[2606:4700:0:0:0:0:0:1111]',
  '[2001:4860:4860::8888]',
  '[2A00:1450:4001:0830::200E]',
  '[::ffff:8.8.8.8]',
  '[::ffff:808:808]',
  '[64:ff9b::8.8.8.8]',
  '[2002:808:808::1]',
  '[2001:0:4136:e378:8000:63bf:f7f7:f7f7]',
];

/** Every special spelling: each special IPv4 address in every IPv4 and IPv6 form, and the native IPv6 ones. */
export function specialSpellings(): Spelling[] {
  const out: Spelling[] = [];
  for (const a of SPECIAL_IPV4) {
    for (const host of ipv4Spellings(a)) out.push({ host, means: a });
    for (const host of embeddingSpellings(a)) out.push({ host, means: `${a} inside IPv6` });
  }
  for (const host of SPECIAL_IPV6) out.push({ host, means: host });
  return out;
}
