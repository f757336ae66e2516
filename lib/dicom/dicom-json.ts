// DICOM JSON Model (PS3.18 F.2): the shape metadata takes in the index, the series metadata bundle and
// every DICOMweb response. Keys are 8 upper-case hex digits (group+element).

export interface PersonNameJson {
  readonly Alphabetic?: string;
  readonly Ideographic?: string;
  readonly Phonetic?: string;
}

export type DicomJsonValue = string | number | PersonNameJson | DicomJsonDataset;

export interface DicomJsonElement {
  readonly vr: string;
  readonly Value?: readonly DicomJsonValue[];
  readonly InlineBinary?: string;
  readonly BulkDataURI?: string;
}

export type DicomJsonDataset = { readonly [tag: string]: DicomJsonElement };
