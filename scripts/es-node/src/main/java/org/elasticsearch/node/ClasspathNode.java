package org.elasticsearch.node;

import java.util.List;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * Builds a {@link Node} whose modules are classes on the classpath.
 *
 * <p>Since 8.x the only public constructor takes a PluginsLoader that reads modules/ from disk;
 * the service-provider hook that chooses the PluginsService is package-private, hence this
 * package.
 */
public final class ClasspathNode {

    private ClasspathNode() {}

    public static Node create(Environment environment, List<Class<? extends Plugin>> modules) {
        NodeServiceProvider provider = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment initialEnvironment, PluginsLoader pluginsLoader) {
                return new ClasspathPluginsService(initialEnvironment.settings(), initialEnvironment.configDir(), modules);
            }
        };
        return new Node(NodeConstruction.prepareConstruction(environment, ClasspathPluginsService.emptyLoader(), provider, true));
    }
}
