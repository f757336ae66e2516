// Quorum arithmetic for replicated writes: a write is acknowledged once `writeQuorum` replicas hold the
// bytes durably; the default is a majority of the replication factor.

export function majority(factor: number): number {
  return Math.floor(factor / 2) + 1;
}

/** The quorum to use: the configured one when given, else the topology's, never above the factor. */
export function effectiveWriteQuorum(factor: number, topologyQuorum: number, override?: number): number {
  const wanted = override ?? topologyQuorum;
  return Math.max(1, Math.min(factor, wanted));
}

/** True when enough replicas could still succeed for the quorum to be reached. */
export function quorumStillPossible(succeeded: number, pending: number, untried: number, quorum: number): boolean {
  return succeeded + pending + untried >= quorum;
}
