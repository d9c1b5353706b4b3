import java.nio.file.Path;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs an embedded Neo4j Community DBMS for the test suite (see neo4j_server.py).
 *
 * <p>Arguments: the DBMS home directory and its configuration file (Bolt address, memory, and so
 * on). Prints READY once the DBMS is up, then blocks; SIGTERM shuts it down cleanly, and so does
 * the end of its standard input, whose other end only the process that started it holds: the
 * DBMS goes with that process however it ends, even killed.
 */
public final class Neo4jLauncher {
    private Neo4jLauncher() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: Neo4jLauncher HOME CONFIG_FILE");
            System.exit(2);
        }
        DatabaseManagementService dbms =
                new DatabaseManagementServiceBuilder(Path.of(args[0]))
                        .loadPropertiesFromFile(Path.of(args[1]))
                        .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));
        System.out.println("READY");
        System.out.flush();
        Thread watch =
                new Thread(
                        () -> {
                            try {
                                while (System.in.read() != -1) {
                                    // nothing is ever written; only the end counts
                                }
                            } catch (java.io.IOException ignored) {
                                // a broken pipe is an end too
                            }
                            System.exit(0);
                        },
                        "starter-watch");
        watch.setDaemon(true);
        watch.start();
        Thread.currentThread().join();
    }
}
