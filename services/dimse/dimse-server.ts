// The DIMSE listener of a node with the `dimse` role: dcmjs-dimse's Server with one YunyingScp per
// association. The library's own logging (loglevel, to the console, with data set dumps at trace) is
// silenced: the SCP logs structured entries through the Moleculer logger instead.
import type { Server as NetServer } from 'node:net';
import dimse from 'dcmjs-dimse';
import { DEPS_OPTION, type DimseDeps } from './dimse-deps.ts';
import { YunyingScp } from './yunying-scp.ts';

const { Server } = dimse;

export interface DimseServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts listening on `port` (all interfaces: the AE policy decides who may associate). */
export async function startDimseServer(port: number, deps: DimseDeps): Promise<DimseServer> {
  dimse.log.setLevel('silent');
  const server = new Server(YunyingScp);
  const ms = deps.timeoutSeconds * 1000;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE'
      ? new Error(`DICOM port ${port} is in use (YY_DICOM_PORT or the node's dicom.port)`)
      : error);
    server.once('networkError', fail);
    server.once('listening', () => { server.off('networkError', fail); resolve(); });
    server.listen(port, { associationTimeout: ms, pduTimeout: ms, connectTimeout: ms, customOptions: { [DEPS_OPTION]: deps } });
  });
  server.on('networkError', (error: Error) => deps.log.warn({ event: 'dimse.network-error', error: error.message }));
  // dcmjs-dimse keeps its net.Server in `server`; the port matters when the topology asked for 0.
  const net = (server as unknown as { server: NetServer }).server;
  const address = net.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => {
      server.close();
      if (net.listening) net.once('close', () => resolve());
      else resolve();
    }),
  };
}
