package fairwatch.esnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.mapper.MapperExtrasPlugin;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.Netty4Plugin;

/**
 * Runs one Elasticsearch node in this JVM with the modules that Maven Central publishes.
 *
 * <p>The distribution's launcher loads modules from a modules/ folder; here they are plain jars
 * on the classpath, so they are handed to {@link Node} as classpath plugins through its
 * protected constructor. Settings come from system properties starting with "es." (without the
 * prefix), as scripts/elasticsearch.sh passes them. The node stops cleanly on SIGTERM.
 */
public final class EsNode {

    private static final List<Class<? extends Plugin>> PLUGINS = List.of(Netty4Plugin.class, MapperExtrasPlugin.class);

    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment) {
            super(environment, PLUGINS, true);
        }
    }

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
        Path home = Path.of(settings.get("path.home"));
        // The node expects these folders of a distribution; both stay empty here.
        Files.createDirectories(home.resolve("modules"));
        Files.createDirectories(home.resolve("plugins"));
        Path config = Files.createDirectories(home.resolve("config"));

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), config, () -> settings.get("node.name", "fairwatch-es"));
        Node node = new ClasspathNode(environment);
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
