import cassandra from 'cassandra-driver';
const c = new cassandra.Client({ contactPoints: ['127.0.0.1:9042'], localDataCenter: 'datacenter1' });
await c.connect();
const r = await c.execute("SELECT keyspace_name FROM system_schema.keyspaces");
for (const row of r.rows) { const k = String(row['keyspace_name']); if (k.startsWith('yy_h2_probe_')) { await c.execute(`DROP KEYSPACE IF EXISTS "${k}"`, [], { readTimeout: 60000 }); console.log('dropped', k); } }
await c.shutdown();
