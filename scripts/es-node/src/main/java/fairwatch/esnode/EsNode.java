package fairwatch.esnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.ClasspathNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Runs one Elasticsearch node in this JVM with the modules that Maven Central publishes.
 *
 * <p>The distribution's launcher loads modules from a modules/ folder; here they are plain jars
 * on the classpath, handed to the node by {@link ClasspathNode}. Settings come from system
 * properties starting with "es.setting." (without the prefix), as scripts/elasticsearch.sh
 * passes them. The node stops cleanly on SIGTERM.
 */
public final class EsNode {

    // HTTP and transport, and GET /; everything else fairwatch uses (the analysis of
    // storage.search.es_schema, highlighting, terms aggregations) is built into the server.
    private static final List<Class<? extends Plugin>> MODULES = List.of(Netty4Plugin.class, RootPlugin.class);

    private EsNode() {}

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (Map.Entry<Object, Object> entry : System.getProperties().entrySet()) {
            String key = entry.getKey().toString();
            if (key.startsWith("es.setting.")) {
                builder.put(key.substring("es.setting.".length()), entry.getValue().toString());
            }
        }
        Settings settings = builder.build();
        // The server logs through its own facade, which the distribution's bootstrap wires to
        // log4j; log4j itself reads log4j2.properties from the classpath.
        LogConfigurator.configureESLogging();
        Path home = Path.of(settings.get("path.home"));
        // The node expects these folders of a distribution; both stay empty here.
        Files.createDirectories(home.resolve("modules"));
        Files.createDirectories(home.resolve("plugins"));
        Path config = Files.createDirectories(home.resolve("config"));

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), config, () -> settings.get("node.name", "fairwatch-es"));
        Node node = ClasspathNode.create(environment, MODULES);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "fairwatch-es-shutdown"));
        node.start();
        // Node threads are daemons: keep the JVM alive until the shutdown hook has run.
        stopped.await();
    }
}
