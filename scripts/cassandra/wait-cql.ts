// Waits until Cassandra answers CQL, then prints the release that runs (CI logs show the version).
//   node scripts/cassandra/wait-cql.ts HOST:PORT [--once]
import cassandra from 'cassandra-driver';

const [contactPoint = '127.0.0.1:9042', flag] = process.argv.slice(2);
const deadline = Date.now() + (flag === '--once' ? 0 : 240_000);
const started = Date.now();

async function releaseVersion(): Promise<string> {
  const client = new cassandra.Client({ contactPoints: [contactPoint], localDataCenter: 'datacenter1' });
  try {
    const rs = await client.execute('SELECT release_version FROM system.local');
    return String(rs.first()?.get('release_version'));
  } finally {
    await client.shutdown();
  }
}

for (;;) {
  try {
    const version = await releaseVersion();
    console.log(`services: Cassandra ${version} answers CQL on ${contactPoint} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    break;
  } catch (error) {
    if (Date.now() > deadline) {
      console.error(`services: Cassandra does not answer CQL on ${contactPoint}: ${(error as Error).message}`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
