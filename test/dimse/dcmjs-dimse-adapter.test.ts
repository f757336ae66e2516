// The dcmjs-dimse adapter: dropping the empty name map changes no byte the library sends.
import test from 'ava';
import dimse from 'dcmjs-dimse';
import { skipEmptyNameMap } from '../../adapters/dcmjs-dimse/skip-empty-name-map.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';

function identifier(): InstanceType<typeof dimse.Dataset> {
  return new dimse.Dataset({
    SpecificCharacterSet: 'ISO_IR 192', QueryRetrieveLevel: 'STUDY', PatientName: [{ Alphabetic: 'Wang^Wei', Ideographic: '王^伟' }],
    StudyInstanceUID: '1.2.3.4', ModalitiesInStudy: ['CT', 'MR'], NumberOfStudyRelatedInstances: 10,
  }, EXPLICIT_LE);
}

test('an empty name map encodes exactly as no name map, before and after the fix; a real one still applies', (t) => {
  const before = identifier().getDenaturalizedDataset({}, {});
  skipEmptyNameMap();
  skipEmptyNameMap(); // installing twice wraps once
  const after = identifier().getDenaturalizedDataset({}, {});
  t.deepEqual(after, before);
  t.deepEqual(identifier().getDenaturalizedDataset({}), before);
  const custom = new dimse.Dataset({ YunyingNote: 'x' }, EXPLICIT_LE)
    .getDenaturalizedDataset({}, { YunyingNote: { tag: '(0009,0010)', vr: 'LO', name: 'YunyingNote', vm: '1', version: 'Private' } });
  t.true(custom.includes(Buffer.from([0x09, 0x00, 0x10, 0x00])), 'the private name map was used');
});
