/**
 * Minimal calls to moto for services whose SDK clients are not dependencies of
 * this repository (Elastic Load Balancing v2, Auto Scaling, IAM). moto routes a
 * query-protocol request by the service named in the Authorization header and
 * does not check signatures.
 */
export async function motoQuery(
  endpoint: string,
  region: string,
  service: 'elasticloadbalancing' | 'autoscaling' | 'iam',
  action: string,
  params: Record<string, string> = {},
): Promise<string> {
  const version = { elasticloadbalancing: '2015-12-01', autoscaling: '2011-01-01', iam: '2010-05-08' }[service];
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      Authorization:
        `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/${service}/aws4_request, ` +
        'SignedHeaders=host, Signature=unsigned',
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ Action: action, Version: version, ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${service}.${action} answered ${response.status}: ${text}`);
  return text;
}

/** Text of every <tag>…</tag> element (no nested elements of the same name). */
export function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
}
