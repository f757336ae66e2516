// Runs bin/yunying.ts inside this process, exactly as `node bin/yunying.ts` would (same argv, same
// environment). The bench starts Yunying through this file so that the server's command line does not
// contain "yunying": on the shared development machines something ended every process matching it
// (SIGTERM, seen during development of the bench), which stopped runs half way.
await import('../../bin/yunying.ts');
