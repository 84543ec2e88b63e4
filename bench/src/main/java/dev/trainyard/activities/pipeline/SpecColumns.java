package dev.trainyard.activities.pipeline;

import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.spark.features.FeatureColumns;
import java.nio.file.Path;

/**
 * A pipeline spec file's columns and transform exactly as the pipeline's activities hand them to
 * the Spark jobs. It sits in the activities' package (in this module's jar) to use their own
 * package-private conversion, so a benchmark of an example measures that example's spec.
 */
public final class SpecColumns {
  private SpecColumns() {}

  public static FeatureColumns of(Path specFile) {
    return DataActivitiesImpl.columns(PipelineSpecFile.load(specFile));
  }
}
