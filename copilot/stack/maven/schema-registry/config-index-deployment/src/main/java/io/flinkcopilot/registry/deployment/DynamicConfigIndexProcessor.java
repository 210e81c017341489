package io.flinkcopilot.registry.deployment;

import io.apicurio.common.apps.config.DynamicConfigPropertyDef;
import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import io.flinkcopilot.registry.runtime.DynamicPropertiesRecorder;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.DotName;
import org.jboss.jandex.FieldInfo;
import org.jboss.jandex.Type;

import javax.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds every field annotated with Apicurio's {@code @Dynamic} and {@code @ConfigProperty} and publishes them
 * as the {@link DynamicConfigPropertyList} bean (name, value type, default, label, description, requires).
 */
public class DynamicConfigIndexProcessor {

    private static final DotName DYNAMIC = DotName.createSimple("io.apicurio.common.apps.config.Dynamic");
    private static final DotName CONFIG_PROPERTY = DotName.createSimple("org.eclipse.microprofile.config.inject.ConfigProperty");
    private static final Map<String, Class<?>> VALUE_TYPES = Map.of(
            "java.lang.Boolean", Boolean.class, "boolean", Boolean.class,
            "java.lang.Integer", Integer.class, "int", Integer.class,
            "java.lang.Long", Long.class, "long", Long.class,
            "java.lang.String", String.class);

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem("apicurio-config-index");
    }

    @BuildStep
    @Record(ExecutionTime.STATIC_INIT)
    SyntheticBeanBuildItem dynamicProperties(DynamicPropertiesRecorder recorder, CombinedIndexBuildItem index) {
        List<DynamicConfigPropertyDef> properties = new ArrayList<>();
        for (AnnotationInstance dynamic : index.getIndex().getAnnotations(DYNAMIC)) {
            if (dynamic.target().kind() != AnnotationTarget.Kind.FIELD) {
                continue;
            }
            FieldInfo field = dynamic.target().asField();
            AnnotationInstance config = field.annotation(CONFIG_PROPERTY);
            if (config == null) {
                throw new IllegalStateException("@Dynamic field " + field.declaringClass().name() + "." + field.name()
                        + " has no @ConfigProperty");
            }
            DynamicConfigPropertyDef property = new DynamicConfigPropertyDef(
                    config.value("name").asString(), valueType(field), stringOrNull(config.value("defaultValue")));
            property.setLabel(stringOrNull(dynamic.value("label")));
            property.setDescription(stringOrNull(dynamic.value("description")));
            AnnotationValue requires = dynamic.value("requires");
            property.setRequires(requires == null ? new String[0] : requires.asStringArray());
            properties.add(property);
        }
        return SyntheticBeanBuildItem.configure(DynamicConfigPropertyList.class)
                .scope(Singleton.class)
                .runtimeValue(recorder.propertyList(properties))
                .unremovable()
                .done();
    }

    /** The value type of a property field: {@code Supplier<Boolean>} and {@code boolean} are both Boolean. */
    private static Class<?> valueType(FieldInfo field) {
        Type type = field.type();
        if (type.kind() == Type.Kind.PARAMETERIZED_TYPE && !type.asParameterizedType().arguments().isEmpty()) {
            type = type.asParameterizedType().arguments().get(0);
        }
        Class<?> valueType = VALUE_TYPES.get(type.name().toString());
        if (valueType == null) {
            throw new IllegalStateException("@Dynamic field " + field.declaringClass().name() + "." + field.name()
                    + " has an unsupported type " + type);
        }
        return valueType;
    }

    private static String stringOrNull(AnnotationValue value) {
        return value == null ? null : value.asString();
    }
}
