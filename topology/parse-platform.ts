// Sections that say who the platform is and whom it serves: platform, zones, hospitals, federation.
import { checkUniqueIds, Fields } from './read-fields.ts';
import { parseRemote } from './parse-remote.ts';
import type { Issues, IssuePath } from './read-fields.ts';
import { PLATFORM_LEVELS, STORAGE_MODES } from './topology-types.ts';
import type { FederationMember, Hospital, Platform, Zone } from './topology-types.ts';

export function parsePlatform(root: Fields): Platform | undefined {
  const f = root.nested('platform', ['id', 'level', 'name']);
  if (f === undefined) return undefined;
  const id = f.id('id');
  const level = f.choice('level', PLATFORM_LEVELS, 'level');
  const name = f.text('name');
  return id === undefined || level === undefined ? undefined : { id, level, name: name ?? '' };
}

export function parseZones(root: Fields): readonly (Zone | undefined)[] | undefined {
  const list = root.list('zones', 'zone');
  if (list === undefined) return undefined;
  const zones = list.map((value, i) => parseZone(root.issues, value, ['zones', i]));
  checkUniqueIds(root.issues, zones, ['zones']);
  return zones;
}

function parseZone(issues: Issues, value: unknown, at: IssuePath): Zone | undefined {
  const f = Fields.open(issues, value, at, ['id', 'name']);
  if (f === undefined) return undefined;
  return { id: f.id('id') ?? '', name: f.text('name') ?? '' };
}

export function parseHospitals(root: Fields): readonly (Hospital | undefined)[] | undefined {
  if (!root.has('hospitals')) return [];
  const list = root.list('hospitals');
  if (list === undefined) return undefined;
  const hospitals = list.map((value, i) => parseHospital(root.issues, value, ['hospitals', i]));
  checkUniqueIds(root.issues, hospitals, ['hospitals']);
  return hospitals;
}

function parseHospital(issues: Issues, value: unknown, at: IssuePath): Hospital | undefined {
  const f = Fields.open(issues, value, at, ['id', 'name', 'storageMode', 'edgeNode', 'remote']);
  if (f === undefined) return undefined;
  const id = f.id('id') ?? '';
  const name = f.text('name') ?? '';
  const storageMode = f.choice('storageMode', STORAGE_MODES, 'storage mode') ?? 'centralized';
  // Distributed storage means the images stay in the hospital: only its edge node, or its PACS reached
  // by pass-through, can serve them.
  if (storageMode === 'distributed' && !f.has('edgeNode') && !f.has('remote')) {
    f.report('edgeNode', 'required when storageMode is distributed (or give remote: a PACS reached by pass-through)');
  }
  // An edge already serves the hospital's images: a second path to the same PACS would only diverge.
  if (f.has('edgeNode') && f.has('remote')) f.report('remote', 'a hospital with an edgeNode is reached through its edge; remote is only for hospitals without one');
  const edgeNode = f.has('edgeNode') ? f.id('edgeNode') : undefined;
  const remote = f.has('remote') ? parseRemote(issues, f.required('remote'), f.path('remote')) : undefined;
  return { id, name, storageMode, ...(edgeNode === undefined ? {} : { edgeNode }), ...(remote === undefined ? {} : { remote }) };
}

export function parseFederation(root: Fields, platform: Platform | undefined): readonly (FederationMember | undefined)[] | undefined {
  const list = root.has('federation') ? root.list('federation') : [];
  if (list === undefined) return undefined;
  if (platform?.level === 'province' && list.length === 0) {
    root.report('federation', 'a province platform must list at least one member (the cities it federates)');
  }
  if (platform !== undefined && platform.level !== 'province' && list.length > 0) {
    root.report('federation', `only a province platform federates members; this one is level ${platform.level}`);
  }
  const members = list.map((value, i) => parseMember(root.issues, value, ['federation', i], platform));
  checkUniqueIds(root.issues, members, ['federation']);
  checkDistinctPlatforms(root.issues, members);
  return members;
}

function parseMember(issues: Issues, value: unknown, at: IssuePath, own: Platform | undefined): FederationMember | undefined {
  const f = Fields.open(issues, value, at, ['id', 'name', 'platform', 'endpoint']);
  if (f === undefined) return undefined;
  const id = f.id('id') ?? '';
  const name = f.text('name') ?? '';
  const platform = f.id('platform') ?? '';
  if (platform !== '' && platform === own?.id) f.report('platform', `"${platform}" is this platform's own id`);
  const endpoint = f.url('endpoint', ['http:', 'https:']);
  return { id, name, platform, endpoint: endpoint ?? '' };
}

function checkDistinctPlatforms(issues: Issues, members: readonly (FederationMember | undefined)[]): void {
  const seen = new Set<string>();
  members.forEach((member, i) => {
    if (member === undefined || member.platform === '') return;
    if (seen.has(member.platform)) {
      issues.push({ at: ['federation', i, 'platform'], message: `platform "${member.platform}" is listed twice` });
    }
    seen.add(member.platform);
  });
}
