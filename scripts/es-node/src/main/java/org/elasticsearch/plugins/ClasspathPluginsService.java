package org.elasticsearch.plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;

/**
 * A PluginsService whose modules are plain jars on the classpath.
 *
 * <p>The distribution loads each module from its own folder under modules/ into its own class
 * loader; Maven Central has the module jars but not those folders. This lives in the
 * org.elasticsearch.plugins package because the hooks it needs (the loaded-plugin record and
 * the plugin constructor helper) are package-private.
 */
public final class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> modules;

    public ClasspathPluginsService(Settings settings, Path configPath, List<Class<? extends Plugin>> moduleClasses) {
        super(settings, configPath, emptyLoader());
        List<LoadedPlugin> loaded = new ArrayList<>();
        for (Class<? extends Plugin> moduleClass : moduleClasses) {
            Plugin instance = loadPlugin(moduleClass, settings, configPath);
            PluginDescriptor descriptor = new PluginDescriptor(
                moduleClass.getName(),
                "classpath module",
                Build.current().version(),
                Build.current().version(),
                Integer.toString(Runtime.version().feature()),
                moduleClass.getName(),
                null,
                List.of(),
                false,
                false,
                false,
                false
            );
            loaded.add(new LoadedPlugin(descriptor, instance, moduleClass.getClassLoader()));
        }
        this.modules = List.copyOf(loaded);
    }

    /** No bundles from disk: the modules/ and plugins/ folders stay empty. */
    public static PluginsLoader emptyLoader() {
        return PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false);
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return modules;
    }

    @Override
    public PluginsAndModules info() {
        return new PluginsAndModules(List.of(), modules.stream().map(LoadedPlugin::descriptor).toList());
    }
}
