package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.util.Set;

/** Turns MLflow's error responses into the typed exceptions of this package. */
final class MlflowErrors {
  private static final int MAX_BODY_IN_MESSAGE = 2000;

  static final String NOT_FOUND = "RESOURCE_DOES_NOT_EXIST";
  static final String ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS";
  static final String INVALID_PARAMETER = "INVALID_PARAMETER_VALUE";

  private static final Set<String> NOT_FOUND_CODES = Set.of(NOT_FOUND, "NOT_FOUND");
  private static final Set<String> ALREADY_EXISTS_CODES = Set.of(ALREADY_EXISTS, "ALREADY_EXISTS");
  private static final Set<String> INVALID_CODES =
      Set.of(INVALID_PARAMETER, "BAD_REQUEST", "MALFORMED_REQUEST", "INVALID_STATE");
  private static final Set<String> DENIED_CODES =
      Set.of("PERMISSION_DENIED", "UNAUTHENTICATED", "CUSTOMER_UNAUTHORIZED");
  private static final Set<String> UNAVAILABLE_CODES =
      Set.of("TEMPORARILY_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED");

  private MlflowErrors() {}

  /**
   * The exception for an error response.
   *
   * @param endpoint the server that answered (named by unavailable errors)
   * @param status the HTTP status (not 2xx)
   * @param body the response body: MLflow sends {@code {"error_code": ..., "message": ...}}, a
   *     proxy in front of it may send anything
   * @param context what was being done, e.g. {@code POST /api/2.0/mlflow/runs/create}
   */
  static MlflowException fromResponse(URI endpoint, int status, String body, String context) {
    return fromResponse(endpoint, status, body, context, null);
  }

  /**
   * As above; {@code auth} (null when unknown) is which kind of credentials were sent, so a 401 or
   * 403 can say which variable to fix. The credentials themselves never reach a message.
   */
  static MlflowException fromResponse(
      URI endpoint, int status, String body, String context, MlflowConfig.Auth auth) {
    String code = null;
    String message = null;
    JsonNode json = parse(body);
    if (json != null && json.isObject()) {
      code = textOrNull(json.get("error_code"));
      message = textOrNull(json.get("message"));
    }
    if (code == null) {
      code = codeForStatus(status);
    }
    if (message == null) {
      message = body == null || body.isBlank() ? "HTTP " + status : abbreviate(body.strip());
      if (status == 404) {
        message +=
            " (no MLflow API at this address: is the tracking URI "
                + endpoint
                + " an MLflow server of version 2.x or 3.x?)";
      }
    }
    if (auth != null && (status == 401 || status == 403)) {
      // One line: these end up as a Temporal failure message and a CLI error line.
      message =
          oneLine(message) + " " + (status == 401 ? unauthenticatedHint(auth) : deniedHint(auth));
    }
    return create(endpoint, code, message, status, context, null);
  }

  private static String unauthenticatedHint(MlflowConfig.Auth auth) {
    return switch (auth) {
      case BASIC ->
          "(the server rejected the user name and password: fix "
              + MlflowConfig.PASSWORD_VAR
              + ", or "
              + MlflowConfig.USERNAME_VAR
              + " if that user does not exist)";
      case TOKEN ->
          "(the server rejected the token: fix "
              + MlflowConfig.TOKEN_VAR
              + "; it is used instead of "
              + MlflowConfig.USERNAME_VAR
              + "/"
              + MlflowConfig.PASSWORD_VAR
              + " when set)";
      case NONE ->
          "(the server requires credentials and none were set: set "
              + MlflowConfig.USERNAME_VAR
              + " and "
              + MlflowConfig.PASSWORD_VAR
              + ", or "
              + MlflowConfig.TOKEN_VAR
              + ")";
    };
  }

  private static String deniedHint(MlflowConfig.Auth auth) {
    String who =
        switch (auth) {
          case BASIC -> "the user in " + MlflowConfig.USERNAME_VAR;
          case TOKEN -> "the identity of " + MlflowConfig.TOKEN_VAR;
          case NONE -> "an anonymous caller";
        };
    return "(signed in, but "
        + who
        + " lacks the permission for this call: ask an MLflow admin to grant it, e.g. EDIT or"
        + " MANAGE on the registered model or experiment, or use a user that has it)";
  }

  /** The exception for a TLS handshake that failed on the server's certificate. */
  static MlflowException tlsFailure(URI endpoint, String context, Throwable cause) {
    String why =
        MlflowTls.certificateFailure(cause).map(Throwable::getMessage).orElse(cause.getMessage());
    // Not retryable: an untrusted certificate stays untrusted until the configuration changes.
    return new MlflowException(
        "TLS_HANDSHAKE_FAILED",
        "TLS handshake with the MLflow server at "
            + endpoint
            + " failed ("
            + oneLine(String.valueOf(why))
            + "). If it uses a private CA or a self-signed certificate, set "
            + MlflowConfig.SERVER_CERT_VAR
            + " to that CA's PEM file ("
            + MlflowConfig.INSECURE_TLS_VAR
            + "=true skips the check, for tests only).",
        0,
        false,
        context,
        cause);
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  static MlflowException create(
      URI endpoint, String code, String message, int status, String context, Throwable cause) {
    if (NOT_FOUND_CODES.contains(code)) {
      return new ResourceNotFoundException(code, message, status, context, cause);
    }
    if (ALREADY_EXISTS_CODES.contains(code)) {
      return new ResourceAlreadyExistsException(code, message, status, context, cause);
    }
    if (DENIED_CODES.contains(code) || status == 401 || status == 403) {
      return new PermissionDeniedException(code, message, status, context, cause);
    }
    if (UNAVAILABLE_CODES.contains(code) || status == 429 || status == 502 || status == 503) {
      return new MlflowUnavailableException(endpoint, code, message, status, context, cause);
    }
    if (status == 504) {
      return new MlflowUnavailableException(endpoint, code, message, status, context, cause);
    }
    if (INVALID_CODES.contains(code)) {
      return new InvalidParameterException(code, message, status, context, cause);
    }
    // Anything else: a server-side failure may pass, a rejected request will not.
    return new MlflowException(code, message, status, status >= 500, context, cause);
  }

  /** The exception for a server that gave no answer at all. */
  static MlflowUnavailableException unreachable(URI endpoint, String context, Throwable cause) {
    String why = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return new MlflowUnavailableException(
        endpoint,
        "UNAVAILABLE",
        "MLflow tracking server at "
            + endpoint
            + " is not reachable ("
            + cause.getClass().getSimpleName()
            + why
            + "). Start the local stack with `./trainyard dev up`, or set MLFLOW_TRACKING_URI to"
            + " a running MLflow server.",
        0,
        context,
        cause);
  }

  static String codeForStatus(int status) {
    return switch (status) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "ENDPOINT_NOT_FOUND";
      case 409 -> "ABORTED";
      case 429 -> "REQUEST_LIMIT_EXCEEDED";
      case 503 -> "TEMPORARILY_UNAVAILABLE";
      default -> status >= 500 ? "INTERNAL_ERROR" : "HTTP_" + status;
    };
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private static String abbreviate(String s) {
    return s.length() <= MAX_BODY_IN_MESSAGE ? s : s.substring(0, MAX_BODY_IN_MESSAGE) + "...";
  }
}
