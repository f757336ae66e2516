// Study complete (检查接收完毕): a study that has had no new instance for YY_EDGE_STUDY_STABLE_SECONDS and
// whose every instance the city confirmed is reported to the city with its SOP Instance UIDs. The city
// answers with the ones it misses (they go back into the queue) or that it holds them all (the study is
// marked reported; a later arrival makes it unreported again). In distributed mode each series first
// gets its thumbnail (once), so the city can show it without asking the hospital.
import type { UploadQueue } from './upload-queue.ts';

export interface StudyCompleteAnswer {
  readonly complete: boolean;
  readonly missing: readonly string[];
}

export interface ReportStudiesDeps {
  readonly queue: UploadQueue;
  readonly stableMs: number;
  /** Distributed mode: sends the series thumbnail (resolves also when it cannot be rendered). */
  readonly sendThumbnail?: (studyInstanceUid: string, seriesInstanceUid: string) => Promise<void>;
  readonly reportComplete: (studyInstanceUid: string, sopInstanceUids: readonly string[]) => Promise<StudyCompleteAnswer>;
  readonly now?: () => number;
}

export interface ReportPass {
  readonly reported: number;
  readonly requeued: number;
}

/** Studies looked at per pass: the rest wait for the next one. */
const STUDIES_PER_PASS = 50;

/** One pass over the stable studies; a failed exchange with the city stops the pass (tried again next time). */
export async function reportStableStudies(deps: ReportStudiesDeps): Promise<ReportPass> {
  const now = deps.now ?? Date.now;
  let reported = 0;
  let requeued = 0;
  for (const study of deps.queue.stableStudies(now(), deps.stableMs, STUDIES_PER_PASS)) {
    if (deps.sendThumbnail) {
      for (const series of deps.queue.seriesWithoutThumbnail(study.studyInstanceUid)) {
        await deps.sendThumbnail(study.studyInstanceUid, series);
        deps.queue.markThumbnail(study.studyInstanceUid, series, now());
      }
    }
    const answer = await deps.reportComplete(study.studyInstanceUid, deps.queue.uploadedInstances(study.studyInstanceUid));
    if (answer.missing.length > 0) requeued += deps.queue.requeue(answer.missing, now());
    else if (answer.complete) {
      deps.queue.markReported(study, now());
      reported += 1;
    }
  }
  return { reported, requeued };
}
