/** A parsed connection address: scheme://user:password@host:port/path?params, credentials decoded. */
export interface Address {
  scheme: string;
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** Path without the leading slash (database name, file path). */
  path: string;
  params: Record<string, string>;
}

export function parseAddress(uri: string): Address {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(uri);
  if (!m) throw new Error('not a URI of the form scheme://user:password@host:port/database');
  const [, scheme, userinfo, hostport, path, query] = m;
  let user: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
    password = colon < 0 ? undefined : decode(userinfo.slice(colon + 1));
  }
  const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(hostport);
  if (!hp) throw new Error(`"${hostport}" is not host:port`);
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query ?? '')) params[k] = v;
  return {
    scheme: scheme.toLowerCase(),
    user,
    password,
    host: hp[1].replace(/^\[|\]$/g, ''),
    port: hp[2] ? Number(hp[2]) : undefined,
    path: decode((path ?? '/').slice(1)),
    params,
  };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new Error('a credential contains "%" not followed by two hex digits: percent-encode it as %25');
  }
}

/** The address with its password replaced, for logs and messages. */
export function describeAddress(a: Address): string {
  const cred = a.user === undefined ? '' : `${a.user}${a.password === undefined ? '' : ':***'}@`;
  return `${a.scheme}://${cred}${a.host}${a.port ? ':' + a.port : ''}/${a.path}`;
}
