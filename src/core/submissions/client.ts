/**
 * Who a client is, for rate limits and report counting. IPv4 addresses count one by one;
 * IPv6 clients usually get a whole /64 (RFC 6177), so they count per /64: otherwise one
 * host could rotate through billions of addresses to dodge the limit or to be "several
 * distinct reporters".
 */

/** A trailing embedded IPv4 address (`::ffff:192.0.2.1`, RFC 4291 §2.2) as two hextets. */
function embeddedV4(groups: string[]): string[] | null {
  const last = groups.at(-1);
  if (last === undefined || !last.includes('.')) return groups;
  const octets = last.split('.').map((o) => (/^\d{1,3}$/.test(o) ? Number(o) : 256));
  if (octets.length !== 4 || octets.some((o) => o > 255)) return null;
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  return [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** The eight hextets of an IPv6 address (with `::` expanded), or null when it is not one. */
function hextets(ip: string): string[] | null {
  const [head = '', tail, ...rest] = ip.toLowerCase().split('::');
  if (rest.length > 0) return null;
  const left =
    tail === undefined ? embeddedV4(head.split(':')) : head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : embeddedV4(tail.split(':'));
  if (left === null || right === null) return null;
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return all.every((h) => /^[0-9a-f]{1,4}$/.test(h))
    ? all.map((h) => h.replace(/^0+(?=.)/, ''))
    : null;
}

/** `ip` for IPv4 (or anything unrecognised), `<first four hextets>::/64` for IPv6. */
export function clientNetwork(ip: string): string {
  if (!ip.includes(':')) return ip;
  const h = hextets(ip);
  return h === null ? ip : `${h.slice(0, 4).join(':')}::/64`;
}

/**
 * The network a reporter is counted by, wider than a rate-limit client: an IPv4 /24 or an
 * IPv6 /48 (the usual end-site assignment, RFC 6177 §2), so a few addresses of one
 * subscriber or one small network count as one reporter and cannot hold an ad alone.
 */
export function reporterNetwork(ip: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const h = ip.includes(':') ? hextets(ip) : null;
  return h === null ? ip : `${h.slice(0, 3).join(':')}::/48`;
}
