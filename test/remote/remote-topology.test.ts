// The `remote` block of a hospital (topology/parse-remote.ts): a PACS without an edge node registered as
// a pass-through source over DICOMweb or DIMSE, validated with the rest of the topology.
import test, { type ExecutionContext } from 'ava';
import { stringify } from 'yaml';
import { loadTopology, parseTopology, TopologyError } from '../../topology/load-topology.ts';

function city(hospital: Record<string, unknown>): string {
  return stringify({
    platform: { id: 'city-test', level: 'city', name: '测试市' },
    zones: [{ id: 'dc1', name: 'DC 1' }],
    nodes: [
      { id: 'api-1', zone: 'dc1', roles: ['api', 'index', 'dimse'], http: { port: 8060 } },
      { id: 'storage-1', zone: 'dc1', roles: ['storage'], http: { port: 8061 }, storage: { path: 'b1', capacity: '1TiB' } },
      { id: 'edge-h1', zone: 'dc1', roles: ['edge'], hospital: 'h1', http: { port: 8063 }, dicom: { port: 11113 } },
    ],
    hospitals: [{ id: 'h1', name: 'H1', storageMode: 'centralized', edgeNode: 'edge-h1' }, { id: 'h2', name: 'H2', storageMode: 'distributed', ...hospital }],
    replication: { factor: 1 },
    nats: { servers: ['nats://127.0.0.1:4222'] },
    index: { engine: 'cassandra', cassandra: { contactPoints: ['127.0.0.1:9042'], localDataCenter: 'dc1', replication: { dc1: 1 } } },
  });
}

function rejects(t: ExecutionContext, hospital: Record<string, unknown>, path: string, fragment: string): void {
  const error = t.throws(() => parseTopology(city(hospital), 'test.yaml'), { instanceOf: TopologyError });
  const issues = error?.issues ?? [];
  t.true(issues.some((i) => i.path === path && i.message.includes(fragment)), `expected ${path}: …${fragment}… among\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
}

test('a DICOMweb remote: the root URL without its trailing slash, the token by the name of its variable', (t) => {
  const topology = parseTopology(city({ remote: { dicomweb: { url: 'https://pacs.h2.example/dicom-web/', tokenEnv: 'YY_REMOTE_H2_TOKEN' } } }), 't');
  t.deepEqual(topology.hospitals[1]?.remote, { protocol: 'dicomweb', url: 'https://pacs.h2.example/dicom-web', tokenEnv: 'YY_REMOTE_H2_TOKEN' });
  t.is(topology.hospitals[1]?.edgeNode, undefined);
  t.true(Object.isFrozen(topology.hospitals[1]?.remote));
});

test('a DIMSE remote: AE title, host, port, an optional calling AE title', (t) => {
  const topology = parseTopology(city({ remote: { dimse: { aeTitle: 'PACS2', host: '10.0.0.5', port: 104 } } }), 't');
  t.deepEqual(topology.hospitals[1]?.remote, { protocol: 'dimse', aeTitle: 'PACS2', host: '10.0.0.5', port: 104 });
  const calling = parseTopology(city({ remote: { dimse: { aeTitle: 'PACS2', host: 'pacs.h2', port: 11112, callingAeTitle: 'CITY' } } }), 't');
  t.like(calling.hospitals[1]?.remote, { protocol: 'dimse', callingAeTitle: 'CITY' });
});

test('the city example registers a hospital without an edge', (t) => {
  const topology = loadTopology(new URL('../../topology/examples/city.yaml', import.meta.url).pathname);
  const remote = topology.hospitals.find((h) => h.remote !== undefined);
  t.is(remote?.id, 'h420103');
  t.is(remote?.edgeNode, undefined);
  t.is(remote?.remote?.protocol, 'dicomweb');
});

const RULES: ReadonlyArray<readonly [string, Record<string, unknown>, string, string]> = [
  ['edge and remote at once', { edgeNode: 'edge-h1', remote: { dicomweb: { url: 'http://pacs/dicom-web' } } }, 'hospitals[1].remote', 'a hospital with an edgeNode is reached through its edge'],
  ['both protocols', { remote: { dicomweb: { url: 'http://pacs/dicom-web' }, dimse: { aeTitle: 'P', host: 'pacs', port: 104 } } }, 'hospitals[1].remote', 'exactly one of dicomweb or dimse'],
  ['no protocol', { remote: {} }, 'hospitals[1].remote', 'exactly one of dicomweb or dimse'],
  ['unknown protocol', { remote: { wado: { url: 'http://pacs' } } }, 'hospitals[1].remote.wado', 'unknown key'],
  ['not an http URL', { remote: { dicomweb: { url: 'ftp://pacs/dicom-web' } } }, 'hospitals[1].remote.dicomweb.url', 'is not a http:// or https:// URL'],
  ['URL with a query', { remote: { dicomweb: { url: 'http://pacs/dicom-web?x=1' } } }, 'hospitals[1].remote.dicomweb.url', 'without a query'],
  ['a token instead of its variable', { remote: { dicomweb: { url: 'http://pacs/dicom-web', tokenEnv: 'eyJhbGciOiJIUzI1NiJ9.abc' } } }, 'hospitals[1].remote.dicomweb.tokenEnv', 'never the token itself'],
  ['misspelt token key', { remote: { dicomweb: { url: 'http://pacs/dicom-web', token: 'X' } } }, 'hospitals[1].remote.dicomweb.token', 'expected one of url, tokenEnv'],
  ['DIMSE without a port', { remote: { dimse: { aeTitle: 'PACS', host: 'pacs' } } }, 'hospitals[1].remote.dimse.port', 'required'],
  ['DIMSE port out of range', { remote: { dimse: { aeTitle: 'PACS', host: 'pacs', port: 0 } } }, 'hospitals[1].remote.dimse.port', 'from 1 to 65535'],
  ['DIMSE AE title too long', { remote: { dimse: { aeTitle: 'A'.repeat(17), host: 'pacs', port: 104 } } }, 'hospitals[1].remote.dimse.aeTitle', 'longer than 16 characters'],
  ['DIMSE host with a scheme', { remote: { dimse: { aeTitle: 'PACS', host: 'http://pacs', port: 104 } } }, 'hospitals[1].remote.dimse.host', 'is not a host name or address'],
  ['distributed with neither edge nor remote', {}, 'hospitals[1].edgeNode', 'required when storageMode is distributed'],
];

for (const [rule, hospital, path, fragment] of RULES) {
  test(`rejects: ${rule}`, (t) => rejects(t, hospital, path, fragment));
}
