RETURN COLLECT { MATCH (n1:`Company` {id: $p0}) RETURN n1 {.id, .name, aliases: coalesce(n1.aliases, []), markets: COLLECT { MATCH (n1)-[r2:`IN_MARKET`]->(n3:`Market`) RETURN {status: r2.status, market: n3 {.name, .id}, since: r2.since} ORDER BY n3.id, elementId(r2) }, .headquarters} ORDER BY n1.id } AS f0,
       COLLECT { MATCH (n4:`Source`) RETURN n4 {.title, companies: COLLECT { MATCH (n4)<-[r5:`MENTIONED_IN`]-(n6:`Company`) RETURN n6 {.id, .name, aliases: coalesce(n6.aliases, [])} ORDER BY n6.id, elementId(r5) }} ORDER BY n4.id } AS f1
// params: {
  "p0": "xiaomi"
}
