package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code mlflow-artifacts:} URIs, through the tracking server's artifact proxy: {@code PUT}/{@code
 * GET /api/2.0/mlflow-artifacts/artifacts/<path>} and {@code GET ...artifacts?path=<dir>} to list.
 * Bodies stream from and to files; nothing is held in memory.
 */
final class ProxiedArtifactRepository implements ArtifactRepository {
  private static final String ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts";
  // A PUT's response comes after the whole body went up, so allow for big files on slow links.
  private static final Duration TRANSFER_TIMEOUT = Duration.ofHours(1);

  private final MlflowHttp http;
  private final URI server;
  private final String base;

  ProxiedArtifactRepository(MlflowHttp http, ArtifactLocation.Proxied location) {
    this.http = http;
    URI tracking = http.trackingUri();
    this.server =
        location.authority() == null
            ? tracking
            : URI.create(tracking.getScheme() + "://" + location.authority());
    this.base = location.path();
  }

  @Override
  public void uploadFile(Path localFile, String path) {
    URI uri = fileUri(path);
    String what = "PUT " + uri.getRawPath();
    HttpRequest request;
    try {
      request =
          http.request(uri)
              .timeout(TRANSFER_TIMEOUT)
              .header("Content-Type", "application/octet-stream")
              .PUT(HttpRequest.BodyPublishers.ofFile(localFile))
              .build();
    } catch (FileNotFoundException e) {
      throw new UncheckedIOException("cannot read " + localFile, e);
    }
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream(), what);
    if (response.statusCode() / 100 != 2) {
      throw http.error(response, what);
    }
    closeQuietly(response.body());
  }

  @Override
  public InputStream open(String path) {
    URI uri = fileUri(path);
    String what = "GET " + uri.getRawPath();
    HttpRequest request = http.request(uri).timeout(TRANSFER_TIMEOUT).GET().build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream(), what);
    if (response.statusCode() / 100 != 2) {
      throw http.error(response, what);
    }
    return response.body();
  }

  @Override
  public List<ArtifactFile> list(String path) {
    String full = ArtifactPaths.join(base, path);
    URI uri = URI.create(server + ARTIFACTS_API + MlflowHttp.queryString(Map.of("path", full)));
    JsonNode body = http.getJson(uri, "GET " + ARTIFACTS_API + "?path=" + full);
    List<ArtifactFile> out = new ArrayList<>();
    for (JsonNode f : Json.elements(body, "files")) {
      // The proxy answers with names relative to the listed folder; keep only the last segment
      // in case a server answers with longer paths.
      String name = Json.text(f, "path");
      name = name.substring(name.lastIndexOf('/') + 1);
      boolean isDir = f.path("is_dir").asBoolean(false);
      JsonNode size = f.get("file_size");
      out.add(
          new ArtifactFile(
              ArtifactPaths.join(path, name),
              isDir,
              size == null || isDir ? OptionalLong.empty() : OptionalLong.of(size.asLong())));
    }
    return out;
  }

  private URI fileUri(String path) {
    return URI.create(
        server + ARTIFACTS_API + "/" + MlflowHttp.encodePath(ArtifactPaths.join(base, path)));
  }

  private static void closeQuietly(InputStream in) {
    try (in) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException ignored) {
      // the upload succeeded; an unreadable acknowledgement body does not matter
    }
  }
}
