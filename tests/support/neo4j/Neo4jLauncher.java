import java.nio.file.Path;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs an embedded Neo4j Community DBMS for the test suite (see neo4j_server.py).
 *
 * <p>Arguments: the DBMS home directory and its configuration file (Bolt address, memory, and so
 * on). Prints READY once the DBMS is up, then blocks; SIGTERM shuts it down cleanly.
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
        Thread.currentThread().join();
    }
}
