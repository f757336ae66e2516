// The `remote` block of a hospital without an edge node: its PACS, registered as a pass-through source
// the city retrieves from on demand (lib/remote/). Exactly one protocol: DICOMweb (QIDO-RS + WADO-RS)
// or DIMSE (C-FIND + C-GET). The bearer token of a DICOMweb source is named by its environment
// variable so the secret never sits in the topology file (which every node reads and operators share).
import { Fields, describe } from './read-fields.ts';
import type { Issues, IssuePath } from './read-fields.ts';
import { checkAeTitle } from './parse-nodes.ts';
import type { RemoteSourceSpec } from './topology-types.ts';

const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

export function parseRemote(issues: Issues, value: unknown, at: IssuePath): RemoteSourceSpec | undefined {
  const f = Fields.open(issues, value, at, ['dicomweb', 'dimse']);
  if (f === undefined) return undefined;
  if (f.has('dicomweb') === f.has('dimse')) {
    issues.push({ at, message: 'give exactly one of dicomweb or dimse' });
    return undefined;
  }
  return f.has('dicomweb') ? parseDicomweb(f) : parseDimse(f);
}

function parseDicomweb(parent: Fields): RemoteSourceSpec | undefined {
  const f = parent.nested('dicomweb', ['url', 'tokenEnv']);
  if (f === undefined) return undefined;
  const url = f.url('url', ['http:', 'https:']);
  const parsed = url === undefined ? undefined : URL.parse(url);
  if (parsed && (parsed.search !== '' || parsed.hash !== '')) f.report('url', `"${url ?? ''}" must be the DICOMweb root, without a query or fragment`);
  const tokenEnv = f.has('tokenEnv') ? f.text('tokenEnv') : undefined;
  if (tokenEnv !== undefined && !ENV_NAME.test(tokenEnv)) {
    f.report('tokenEnv', `${describe(tokenEnv)} is not an environment variable name (upper-case letters, digits, _): name the variable that holds the token, never the token itself`);
  }
  if (url === undefined) return undefined;
  return { protocol: 'dicomweb', url: url.replace(/\/+$/, ''), ...(tokenEnv === undefined ? {} : { tokenEnv }) };
}

function parseDimse(parent: Fields): RemoteSourceSpec | undefined {
  const f = parent.nested('dimse', ['aeTitle', 'host', 'port', 'callingAeTitle']);
  if (f === undefined) return undefined;
  const aeTitle = checkAeTitle(f.issues, f.required('aeTitle'), f.path('aeTitle'));
  const host = f.text('host');
  if (host !== undefined && !/^[^\s/:]+$|^\[[0-9a-fA-F:]+\]$/.test(host)) f.report('host', `"${host}" is not a host name or address`);
  const port = f.integer('port', 1, 65535);
  const callingAeTitle = f.has('callingAeTitle') ? checkAeTitle(f.issues, f.required('callingAeTitle'), f.path('callingAeTitle')) : undefined;
  if (aeTitle === undefined || host === undefined || port === undefined) return undefined;
  return { protocol: 'dimse', aeTitle, host, port, ...(callingAeTitle === undefined ? {} : { callingAeTitle }) };
}
