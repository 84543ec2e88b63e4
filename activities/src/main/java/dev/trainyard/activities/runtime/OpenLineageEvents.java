package dev.trainyard.activities.runtime;

import io.openlineage.client.Clients;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent.EventType;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.ApiKeyTokenProvider;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each step's START, COMPLETE and FAIL as OpenLineage run events through the official Java
 * client, so Marquez, DataHub or OpenMetadata see what Trainyard's own lineage records ({@link
 * LineageRecorder}) say. Off unless configured ({@link #fromEnvironment}); sending never fails a
 * step: a transport error is logged as a warning.
 *
 * <p>A step is the job {@code trainyard/<workflow type>.<activity type>}, its run id a UUID derived
 * from the workflow id, workflow run id and activity id, so every attempt of a retried step reports
 * to the same run instead of forking the graph. Its parent is the workflow: job {@code
 * trainyard/<workflow type>.<workflow id>}, run id derived from the workflow run id.
 */
public final class OpenLineageEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenLineageEvents.class);

  /** The job namespace of Trainyard's steps and workflows. */
  public static final String NAMESPACE = "trainyard";

  /**
   * Who produced the events: the project's {@code <url>} in the root {@code pom.xml}, stamped into
   * {@value #PRODUCER_RESOURCE} at build time, so the URL lives in one place.
   */
  public static final URI PRODUCER = producer();

  static final String PRODUCER_RESOURCE = "trainyard-producer.properties";

  /**
   * The JSON schema of the content digest facet, under the project URL; the file is {@code
   * docs/openlineage/ContentDigestDatasetFacet.json} in the repository.
   */
  static final URI DIGEST_SCHEMA =
      URI.create(PRODUCER + "/openlineage/ContentDigestDatasetFacet.json");

  private static URI producer() {
    java.util.Properties p = new java.util.Properties();
    try (java.io.InputStream in = OpenLineageEvents.class.getResourceAsStream(PRODUCER_RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + PRODUCER_RESOURCE, e);
    }
    String url = p.getProperty("url", "");
    if (url.isBlank() || url.startsWith("${")) {
      // Only a build that skipped resource filtering gets here.
      throw new IllegalStateException(
          PRODUCER_RESOURCE
              + " holds no project URL; build with Maven (it fills in the pom's <url>)");
    }
    return URI.create(url.replaceAll("/+$", ""));
  }

  /** Off: no events. */
  public static final OpenLineageEvents OFF = new OpenLineageEvents(null, "unknown");

  private final OpenLineageClient client;
  private final String codeVersion;
  private final OpenLineage ol;

  public OpenLineageEvents(OpenLineageClient client, String codeVersion) {
    this.client = client;
    this.codeVersion = codeVersion == null ? "unknown" : codeVersion;
    this.ol = new OpenLineage(PRODUCER);
  }

  /** Events appended, one JSON per line, to {@code file} (OpenLineage's file transport). */
  public static OpenLineageEvents toFile(Path file, String codeVersion) {
    return new OpenLineageEvents(
        OpenLineageClient.builder()
            .transport(new FileTransport(new FileConfig(file.toAbsolutePath().toString())))
            .build(),
        codeVersion);
  }

  /**
   * Configured the way every OpenLineage integration is: {@code OPENLINEAGE_URL} (HTTP, with {@code
   * OPENLINEAGE_ENDPOINT} and {@code OPENLINEAGE_API_KEY}), {@code OPENLINEAGE_CONFIG} (an {@code
   * openlineage.yml} naming a transport: {@code file}, {@code http}, {@code console}, ...), {@code
   * OPENLINEAGE__TRANSPORT__*} variables, or an {@code openlineage.yml} in the working directory or
   * {@code ~/.openlineage/}. None of them set, or {@code OPENLINEAGE_DISABLED=true}: off (the
   * client's own default would print every event to the console).
   */
  public static OpenLineageEvents fromEnvironment(Map<String, String> env, String codeVersion) {
    if ("true".equalsIgnoreCase(env.getOrDefault("OPENLINEAGE_DISABLED", ""))) {
      return OFF;
    }
    boolean configured =
        notBlank(env.get("OPENLINEAGE_URL"))
            || notBlank(env.get("OPENLINEAGE_CONFIG"))
            || env.keySet().stream().anyMatch(k -> k.startsWith("OPENLINEAGE__TRANSPORT"))
            || Files.exists(Path.of("openlineage.yml"))
            || Files.exists(
                Path.of(System.getProperty("user.home"), ".openlineage", "openlineage.yml"));
    if (!configured) {
      return OFF;
    }
    try {
      boolean clientConfigured =
          notBlank(env.get("OPENLINEAGE_CONFIG"))
              || env.keySet().stream().anyMatch(k -> k.startsWith("OPENLINEAGE__"))
              || !notBlank(env.get("OPENLINEAGE_URL"));
      if (clientConfigured) {
        // The Java client's own lookup: OPENLINEAGE_CONFIG, openlineage.yml, OPENLINEAGE__* vars.
        return new OpenLineageEvents(Clients.newClient(), codeVersion);
      }
      // OPENLINEAGE_URL alone, as the Python client and Airflow read it (the Java client doesn't).
      HttpConfig http = new HttpConfig();
      http.setUrl(URI.create(env.get("OPENLINEAGE_URL")));
      if (notBlank(env.get("OPENLINEAGE_ENDPOINT"))) {
        http.setEndpoint(env.get("OPENLINEAGE_ENDPOINT"));
      }
      if (notBlank(env.get("OPENLINEAGE_API_KEY"))) {
        ApiKeyTokenProvider auth = new ApiKeyTokenProvider();
        auth.setApiKey(env.get("OPENLINEAGE_API_KEY"));
        http.setAuth(auth);
      }
      return new OpenLineageEvents(
          OpenLineageClient.builder().transport(new HttpTransport(http)).build(), codeVersion);
    } catch (RuntimeException e) {
      LOG.warn(
          "OpenLineage is configured but its client could not start; no events: {}", e.toString());
      return OFF;
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  public boolean enabled() {
    return client != null;
  }

  /**
   * Which step ran where: enough to name the job, derive the run ids, and point at the parent.
   *
   * @param workflowType the workflow that ran the step ({@code TrainingPipelineWorkflow})
   * @param workflowId its id
   * @param workflowRunId its run id
   * @param activityType the step ({@code ValidateData})
   * @param activityId the step's id in the workflow, the same for every attempt
   */
  public record Step(
      String workflowType,
      String workflowId,
      String workflowRunId,
      String activityType,
      String activityId) {
    public String jobName() {
      return workflowType + "." + activityType;
    }

    public UUID runId() {
      return uuid("step:" + workflowId + "/" + workflowRunId + "/" + activityId);
    }

    public UUID parentRunId() {
      return uuid("workflow:" + workflowId + "/" + workflowRunId);
    }

    public String parentJobName() {
      return workflowType + "." + workflowId;
    }
  }

  static UUID uuid(String key) {
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
  }

  public void start(Step step, Instant at) {
    emit(step, EventType.START, at, List.of(), List.of(), Map.of(), null);
  }

  public void complete(
      Step step,
      Instant at,
      List<LineageRecord.Dataset> inputs,
      List<LineageRecord.Dataset> outputs) {
    complete(step, at, inputs, outputs, Map.of());
  }

  /**
   * @param schemas column → type of the datasets whose schema the step knows, by URI
   */
  public void complete(
      Step step,
      Instant at,
      List<LineageRecord.Dataset> inputs,
      List<LineageRecord.Dataset> outputs,
      Map<String, Map<String, String>> schemas) {
    emit(step, EventType.COMPLETE, at, inputs, outputs, schemas, null);
  }

  public void fail(
      Step step,
      Instant at,
      List<LineageRecord.Dataset> inputs,
      List<LineageRecord.Dataset> outputs,
      Map<String, Map<String, String>> schemas,
      Throwable error) {
    emit(step, EventType.FAIL, at, inputs, outputs, schemas, error);
  }

  private void emit(
      Step step,
      EventType type,
      Instant at,
      List<LineageRecord.Dataset> inputs,
      List<LineageRecord.Dataset> outputs,
      Map<String, Map<String, String>> schemas,
      Throwable error) {
    if (client == null) {
      return;
    }
    try {
      client.emit(event(step, type, at, inputs, outputs, schemas, error));
    } catch (RuntimeException e) {
      // Lineage is a side channel: a down collector must not stop training or scoring.
      LOG.warn("OpenLineage {} event of {} not sent: {}", type, step.jobName(), e.toString());
    }
  }

  OpenLineage.RunEvent event(
      Step step,
      EventType type,
      Instant at,
      List<LineageRecord.Dataset> inputs,
      List<LineageRecord.Dataset> outputs,
      Map<String, Map<String, String>> schemas,
      Throwable error) {
    OpenLineage.RunFacetsBuilder runFacets =
        ol.newRunFacetsBuilder()
            .parent(
                ol.newParentRunFacetBuilder()
                    .run(ol.newParentRunFacetRun(step.parentRunId(), null))
                    .job(ol.newParentRunFacetJob(NAMESPACE, step.parentJobName(), null))
                    .build())
            .processing_engine(
                ol.newProcessingEngineRunFacet(codeVersion, "trainyard", codeVersion));
    if (error != null) {
      runFacets.errorMessage(
          ol.newErrorMessageRunFacet(String.valueOf(error.getMessage()), "Java", null));
    }
    OpenLineage.JobFacets jobFacets =
        ol.newJobFacetsBuilder()
            .jobType(ol.newJobTypeJobFacet("BATCH", "TRAINYARD", "STEP", null))
            .build();
    List<OpenLineage.InputDataset> in =
        datasets(
            inputs,
            schemas,
            (name, facets, rows) ->
                ol.newInputDatasetBuilder()
                    .namespace(name.namespace())
                    .name(name.name())
                    .facets(facets)
                    .inputFacets(
                        rows == null
                            ? null
                            : ol.newInputDatasetInputFacetsBuilder()
                                .inputStatistics(
                                    ol.newInputStatisticsInputDatasetFacetBuilder()
                                        .rowCount(rows)
                                        .build())
                                .build())
                    .build());
    List<OpenLineage.OutputDataset> out =
        datasets(
            outputs,
            schemas,
            (name, facets, rows) ->
                ol.newOutputDatasetBuilder()
                    .namespace(name.namespace())
                    .name(name.name())
                    .facets(facets)
                    .outputFacets(
                        rows == null
                            ? null
                            : ol.newOutputDatasetOutputFacetsBuilder()
                                .outputStatistics(
                                    ol.newOutputStatisticsOutputDatasetFacetBuilder()
                                        .rowCount(rows)
                                        .build())
                                .build())
                    .build());
    return ol.newRunEventBuilder()
        .eventType(type)
        .eventTime(ZonedDateTime.ofInstant(at, ZoneOffset.UTC))
        .run(ol.newRun(step.runId(), runFacets.build()))
        .job(ol.newJob(NAMESPACE, step.jobName(), jobFacets))
        .inputs(in)
        .outputs(out)
        .build();
  }

  /** Builds one OpenLineage input or output dataset; only the row-count facet's kind differs. */
  private interface DatasetBuilder<D> {
    D build(DatasetName name, OpenLineage.DatasetFacets facets, Long rows);
  }

  /** The events' datasets: name from the URI, schema and digest facets, row count. */
  private <D> List<D> datasets(
      List<LineageRecord.Dataset> datasets,
      Map<String, Map<String, String>> schemas,
      DatasetBuilder<D> builder) {
    List<D> built = new ArrayList<>();
    for (LineageRecord.Dataset d : datasets) {
      built.add(
          builder.build(DatasetName.of(d.uri()), datasetFacets(d, schemas.get(d.uri())), d.rows()));
    }
    return built;
  }

  private OpenLineage.DatasetFacets datasetFacets(
      LineageRecord.Dataset d, Map<String, String> schema) {
    if (d.fingerprint() == null && schema == null) {
      return null;
    }
    OpenLineage.DatasetFacetsBuilder facets = ol.newDatasetFacetsBuilder();
    if (schema != null) {
      List<OpenLineage.SchemaDatasetFacetFields> fields = new ArrayList<>();
      schema.forEach(
          (column, type) ->
              fields.add(ol.newSchemaDatasetFacetFieldsBuilder().name(column).type(type).build()));
      facets.schema(ol.newSchemaDatasetFacet(fields));
    }
    if (d.fingerprint() != null) {
      facets.put("trainyard_contentDigest", new ContentDigestFacet("sha256", d.fingerprint()));
    }
    return facets.build();
  }

  /**
   * Trainyard's content fingerprint of a dataset: the same bytes give the same digest, whatever the
   * URI. A custom facet, named with Trainyard's prefix as the spec asks.
   */
  public static final class ContentDigestFacet extends OpenLineage.DefaultDatasetFacet {
    private final String algorithm;
    private final String digest;

    ContentDigestFacet(String algorithm, String digest) {
      super(PRODUCER, null);
      this.algorithm = algorithm;
      this.digest = digest;
    }

    @Override
    public URI get_schemaURL() {
      return DIGEST_SCHEMA;
    }

    public String getAlgorithm() {
      return algorithm;
    }

    public String getDigest() {
      return digest;
    }
  }

  /**
   * A dataset's OpenLineage namespace and name from its URI, per the naming conventions: {@code
   * s3://bucket/key} (also {@code s3a}, {@code s3n}) → {@code s3://bucket} and {@code key}; a local
   * path or {@code file:} URI → {@code file} and the absolute path; a registered model {@code
   * models:/name/version} → {@code mlflow} and {@code name/version}; anything else with an
   * authority → {@code scheme://authority} and the path.
   */
  public record DatasetName(String namespace, String name) {
    public static DatasetName of(String uri) {
      // A folder dataset (Parquet) is the same dataset with or without its trailing slash.
      DatasetName n = parse(uri);
      String name = n.name().length() > 1 ? n.name().replaceAll("/+$", "") : n.name();
      return new DatasetName(n.namespace(), name);
    }

    private static DatasetName parse(String uri) {
      if (uri.startsWith("models:/")) {
        return new DatasetName("mlflow", uri.substring("models:/".length()));
      }
      if (uri.startsWith("/")) {
        return new DatasetName("file", uri);
      }
      int colon = uri.indexOf(':');
      if (colon < 0) {
        return new DatasetName("file", Path.of(uri).toAbsolutePath().toString());
      }
      String scheme = uri.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
      String rest = uri.substring(colon + 1);
      if (scheme.equals("file")) {
        // file:/a, file:///a, file://localhost/a: the path, decoded where it is a valid URI.
        String path = rest.replaceFirst("^//[^/]*", "");
        try {
          path = URI.create(uri).getPath();
        } catch (IllegalArgumentException notAUri) {
          // keep the raw path (a space in a name)
        }
        return new DatasetName("file", path);
      }
      if (scheme.equals("s3a") || scheme.equals("s3n")) {
        scheme = "s3";
      }
      if (rest.startsWith("//")) {
        String hostAndPath = rest.substring(2);
        int slash = hostAndPath.indexOf('/');
        String authority = slash < 0 ? hostAndPath : hostAndPath.substring(0, slash);
        String path = slash < 0 ? "" : hostAndPath.substring(slash);
        // Object stores name objects by key, without the leading slash.
        String name =
            scheme.equals("s3") || scheme.equals("gs") ? path.replaceFirst("^/", "") : path;
        return new DatasetName(scheme + "://" + authority, name.isEmpty() ? "/" : name);
      }
      return new DatasetName(scheme, rest);
    }
  }

  @Override
  public void close() {
    if (client != null) {
      try {
        client.close();
      } catch (Exception e) {
        LOG.warn("OpenLineage client did not close cleanly: {}", e.toString());
      }
    }
  }
}
