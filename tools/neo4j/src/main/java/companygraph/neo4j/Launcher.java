package companygraph.neo4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Runs Neo4j Community embedded with only a loopback Bolt connector, so the project can use a
 * real Neo4j without Docker. Normally started by neo4j.sh, which owns the PID/log files.
 */
public final class Launcher {

    private static final String HOST = "127.0.0.1";

    private Launcher() {}

    public static void main(String[] args) {
        Options opts;
        try {
            opts = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("neo4j-launcher: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }

        System.out.println("neo4j starting in " + opts.dataDir + " (Neo4j's own logs: "
                + opts.dataDir.resolve("logs") + ")");
        System.out.flush();
        DatabaseManagementService dbms;
        try {
            dbms = start(opts);
        } catch (Throwable t) {
            System.err.println("neo4j-launcher: failed to start Neo4j: " + t);
            t.printStackTrace(System.err);
            // Non-daemon Neo4j threads may already be running; exit hard rather than hang.
            Runtime.getRuntime().halt(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j shutting down");
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                System.err.println("neo4j-launcher: error during shutdown: " + t);
            } finally {
                if (opts.portFile != null) {
                    try {
                        Files.deleteIfExists(opts.portFile);
                    } catch (IOException ignored) {
                        // best effort: the script removes it as well
                    }
                }
                System.out.println("neo4j stopped");
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-launcher-shutdown"));

        try {
            int port = boltPort(dbms);
            // Written only after the password is set, so a caller that waits for this file
            // never sees the default neo4j/neo4j credentials.
            if (opts.portFile != null) {
                writeAtomically(opts.portFile, port + "\n");
            }
            System.out.println("neo4j ready bolt://" + HOST + ":" + port);
            System.out.flush();
        } catch (Throwable t) {
            System.err.println("neo4j-launcher: started but could not publish the Bolt port: " + t);
            t.printStackTrace(System.err);
            System.exit(1); // runs the shutdown hook
        }

        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static DatabaseManagementService start(Options opts) {
        boolean auth = opts.password != null;
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(opts.dataDir)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, opts.boltPort))
                // For neo4j:// routing tables; with port 0 Neo4j advertises the port it actually bound.
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, opts.boltPort))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                // Off-heap; the default would take half of the machine's free RAM.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                // Otherwise each database (system + neo4j) reserves a 256 MiB transaction log up front.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Internal setting: Netty's default 5 s quiet period, paid twice, made every stop take 10 s.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        try {
            if (auth) {
                setPassword(dbms, opts.password);
            }
        } catch (RuntimeException e) {
            dbms.shutdown();
            throw e;
        }
        return dbms;
    }

    /**
     * Makes neo4j's password the given one on every start, so the data dir follows the flag.
     * Embedded transactions run with full privileges, so no login is needed for this.
     */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        var system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to its current value; that is the state we want,
            // but the change-required flag must still be cleared.
            if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                throw e;
            }
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    private static int boltPort(DatabaseManagementService dbms) {
        // Internal API (GraphDatabaseAPI/ConnectorPortRegister): the only way to learn the port
        // actually bound when --bolt-port 0 was asked for.
        var db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        var address = db.getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT);
        if (address == null) {
            throw new IllegalStateException("Bolt connector is not bound");
        }
        return address.getPort();
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static final class Options {
        static final String USAGE = "usage: Launcher --data-dir DIR [--bolt-port N] [--port-file FILE] [--auth-password PW]";

        Path dataDir;
        int boltPort = 7687;
        Path portFile;
        String password;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("-h") || flag.equals("--help")) {
                    throw new IllegalArgumentException("help requested");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + flag);
                }
                String value = args[++i];
                switch (flag) {
                    case "--data-dir" -> o.dataDir = Path.of(value).toAbsolutePath();
                    case "--bolt-port" -> o.boltPort = parsePort(value);
                    case "--port-file" -> o.portFile = Path.of(value);
                    case "--auth-password" -> o.password = value.isEmpty() ? null : value;
                    default -> throw new IllegalArgumentException("unknown flag " + flag);
                }
            }
            if (o.dataDir == null) {
                throw new IllegalArgumentException("--data-dir is required");
            }
            return o;
        }

        private static int parsePort(String value) {
            int port;
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--bolt-port must be a number, got " + value);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--bolt-port out of range: " + value);
            }
            return port;
        }
    }
}
