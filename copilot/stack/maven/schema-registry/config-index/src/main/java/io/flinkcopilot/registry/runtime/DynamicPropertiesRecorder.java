package io.flinkcopilot.registry.runtime;

import io.apicurio.common.apps.config.DynamicConfigPropertyDef;
import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;

import java.util.List;

/** Builds, at start-up, the list of configuration properties an administrator may change at run time. */
@Recorder
public class DynamicPropertiesRecorder {

    public RuntimeValue<DynamicConfigPropertyList> propertyList(List<DynamicConfigPropertyDef> properties) {
        return new RuntimeValue<>(new DynamicConfigPropertyList(properties));
    }
}
