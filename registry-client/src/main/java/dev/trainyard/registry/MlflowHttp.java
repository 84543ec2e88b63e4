package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP path to the tracking server: JSON calls to {@code /api/2.0/mlflow/...} and raw
 * requests for the artifact proxy. Adds the auth header (never logged) and maps failures to the
 * typed exceptions. No retries here: the caller (a Temporal activity) owns the retry policy.
 */
final class MlflowHttp {
  private static final Logger log = LoggerFactory.getLogger(MlflowHttp.class);
  static final String API = "/api/2.0/mlflow/";

  private final URI trackingUri;
  private final HttpClient http;
  private final Optional<String> authorization;
  private final MlflowConfig.Auth auth;
  private final Duration requestTimeout;

  MlflowHttp(MlflowConfig config) {
    this.trackingUri = withoutTrailingSlash(config.trackingUri());
    this.authorization = config.authorizationHeader();
    this.auth = config.auth();
    this.requestTimeout = config.requestTimeout();
    HttpClient.Builder b =
        HttpClient.newBuilder()
            // MLflow 3 serves HTTP/1.1 (uvicorn); skip the h2c upgrade dance.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            // NORMAL never follows https -> http, so credentials are not sent in clear text.
            .followRedirects(HttpClient.Redirect.NORMAL);
    MlflowTls.sslContext(config).ifPresent(b::sslContext);
    this.http = b.build();
  }

  URI trackingUri() {
    return trackingUri;
  }

  JsonNode get(String method, Map<String, String> query) {
    URI uri = URI.create(trackingUri + API + method + queryString(query));
    return json(request(uri).GET(), "GET " + API + method);
  }

  /** A JSON GET to any URI on the tracking server (the artifact proxy's listing). */
  JsonNode getJson(URI uri, String what) {
    return json(request(uri).GET(), what);
  }

  JsonNode post(String method, ObjectNode body) {
    return json(withBody(method, "POST", body), "POST " + API + method);
  }

  /** MLflow 3 reads DELETE parameters from a JSON body, not from the query string. */
  JsonNode delete(String method, ObjectNode body) {
    return json(withBody(method, "DELETE", body), "DELETE " + API + method);
  }

  static ObjectNode object() {
    return Json.MAPPER.createObjectNode();
  }

  /** A request to {@code uri} with the auth header; the caller sets method and timeout. */
  HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout);
    authorization.ifPresent(a -> b.header("Authorization", a));
    return b;
  }

  /** Sends, turning "no answer" into {@link MlflowUnavailableException}; any status returns. */
  <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
    URI server =
        request.uri().toString().startsWith(trackingUri.toString())
            ? trackingUri
            : serverOf(request.uri());
    log.debug("{} {}", request.method(), request.uri().getRawPath());
    try {
      return http.send(request, handler);
    } catch (HttpTimeoutException e) {
      throw new MlflowUnavailableException(
          server,
          "TIMEOUT",
          "MLflow server at " + server + " did not answer in time (" + e.getMessage() + ")",
          0,
          what,
          e);
    } catch (IOException e) {
      if (MlflowTls.certificateFailure(e).isPresent()) {
        throw MlflowErrors.tlsFailure(server, what, e);
      }
      throw MlflowErrors.unreachable(server, what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MlflowException(
          "INTERRUPTED", "interrupted while calling " + server, 0, true, what, e);
    }
  }

  /** The exception for a non-2xx response whose body was streamed. */
  MlflowException error(HttpResponse<InputStream> response, String what) {
    String body;
    try (InputStream in = response.body()) {
      body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
    } catch (IOException e) {
      body = "";
    }
    return MlflowErrors.fromResponse(
        serverOf(response.uri()), response.statusCode(), body, what, auth);
  }

  private HttpRequest.Builder withBody(String method, String verb, ObjectNode body) {
    URI uri = URI.create(trackingUri + API + method);
    String text;
    try {
      text = Json.MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return request(uri)
        .header("Content-Type", "application/json")
        .method(verb, HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8));
  }

  private JsonNode json(HttpRequest.Builder request, String what) {
    HttpResponse<String> response =
        send(request.header("Accept", "application/json").build(), ofUtf8(), what);
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw MlflowErrors.fromResponse(trackingUri, status, response.body(), what, auth);
    }
    String body = response.body();
    if (body == null || body.isBlank()) {
      return object();
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new MlflowException(
          "MALFORMED_RESPONSE",
          "expected JSON from " + trackingUri + ", got: " + abbreviate(body),
          status,
          false,
          what,
          e);
    }
  }

  private static HttpResponse.BodyHandler<String> ofUtf8() {
    return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
  }

  static String queryString(Map<String, String> query) {
    if (query.isEmpty()) {
      return "";
    }
    StringJoiner q = new StringJoiner("&", "?", "");
    query.forEach((k, v) -> q.add(encode(k) + "=" + encode(v)));
    return q.toString();
  }

  /** Percent-encodes one query value or path segment (space as %20, not '+'). */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Percent-encodes each segment of a '/'-separated path. */
  static String encodePath(String path) {
    StringJoiner j = new StringJoiner("/");
    for (String segment : path.split("/", -1)) {
      j.add(encode(segment));
    }
    return j.toString();
  }

  static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }

  private static URI serverOf(URI uri) {
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
  }

  private static String abbreviate(String s) {
    return s.length() <= 500 ? s : s.substring(0, 500) + "...";
  }
}
