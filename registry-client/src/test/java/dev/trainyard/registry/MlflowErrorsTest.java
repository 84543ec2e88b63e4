package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class MlflowErrorsTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:5000");

  private static MlflowException map(int status, String body) {
    return MlflowErrors.fromResponse(SERVER, status, body, "GET /x");
  }

  @Test
  void notFoundCarriesCodeAndServerMessage() {
    MlflowException e =
        map(
            404,
            "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"Run with id=x not"
                + " found\", \"error_class\": \"RESOURCE_NOT_FOUND\"}");
    assertInstanceOf(ResourceNotFoundException.class, e);
    assertEquals("RESOURCE_DOES_NOT_EXIST", e.errorCode());
    assertEquals("Run with id=x not found", e.serverMessage());
    assertEquals(404, e.httpStatus());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("GET /x"), e.getMessage());
  }

  @Test
  void alreadyExistsAndInvalidParameterAreNotRetryable() {
    MlflowException exists =
        map(400, "{\"error_code\": \"RESOURCE_ALREADY_EXISTS\", \"message\": \"dup\"}");
    assertInstanceOf(ResourceAlreadyExistsException.class, exists);
    assertFalse(exists.isRetryable());

    MlflowException invalid =
        map(400, "{\"error_code\": \"INVALID_PARAMETER_VALUE\", \"message\": \"bad\"}");
    assertInstanceOf(InvalidParameterException.class, invalid);
    assertFalse(invalid.isRetryable());
  }

  @Test
  void authFailuresArePermissionDenied() {
    assertInstanceOf(PermissionDeniedException.class, map(401, "Unauthorized"));
    MlflowException denied =
        map(403, "{\"error_code\": \"PERMISSION_DENIED\", \"message\": \"no\"}");
    assertInstanceOf(PermissionDeniedException.class, denied);
    assertFalse(denied.isRetryable());
  }

  @Test
  void serverFailuresAreRetryableAndOverloadIsUnavailable() {
    MlflowException internal =
        map(500, "{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"boom\"}");
    assertEquals(MlflowException.class, internal.getClass());
    assertTrue(internal.isRetryable());

    MlflowException gateway = map(502, "<html>Bad Gateway</html>");
    MlflowUnavailableException unavailable =
        assertInstanceOf(MlflowUnavailableException.class, gateway);
    assertEquals(SERVER, unavailable.endpoint());
    assertTrue(gateway.isRetryable());
    assertEquals("INTERNAL_ERROR", gateway.errorCode());

    MlflowException limited =
        map(429, "{\"error_code\": \"REQUEST_LIMIT_EXCEEDED\", \"message\": \"slow down\"}");
    assertInstanceOf(MlflowUnavailableException.class, limited);
    assertTrue(limited.isRetryable());
  }

  @Test
  void nonJsonBodiesKeepTheirTextAndA404HintsAtTheWrongServer() {
    MlflowException e = map(404, "<html>Not Found</html>");
    assertEquals("ENDPOINT_NOT_FOUND", e.errorCode());
    assertTrue(e.serverMessage().startsWith("<html>Not Found</html>"), e.serverMessage());
    assertTrue(e.serverMessage().contains("tracking URI"), e.serverMessage());
    assertFalse(e instanceof ResourceNotFoundException);
    assertFalse(e.isRetryable());

    MlflowException empty = map(418, "");
    assertEquals("HTTP_418", empty.errorCode());
    assertEquals("HTTP 418", empty.serverMessage());
    assertFalse(empty.isRetryable());
  }

  @Test
  void unreachableNamesTheServerAndWhatToDo() {
    MlflowUnavailableException e =
        MlflowErrors.unreachable(SERVER, "GET /x", new ConnectException("Connection refused"));
    assertTrue(e.isRetryable());
    assertEquals(0, e.httpStatus());
    assertTrue(e.getMessage().contains("http://127.0.0.1:5000"), e.getMessage());
    assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    assertTrue(e.getMessage().contains("./trainyard dev up"), e.getMessage());
    assertTrue(e.getMessage().contains("MLFLOW_TRACKING_URI"), e.getMessage());
  }

  @Test
  void authFailuresSayWhichVariableToFixOnOneLine() {
    URI uri = URI.create("http://127.0.0.1:5000");
    String body = "You are not authenticated.\nPlease see the docs.";
    MlflowException basic =
        MlflowErrors.fromResponse(uri, 401, body, "GET x", MlflowConfig.Auth.BASIC);
    assertTrue(basic.getMessage().contains("MLFLOW_TRACKING_PASSWORD"), basic.getMessage());
    assertFalse(basic.getMessage().contains("\n"), basic.getMessage());
    MlflowException token =
        MlflowErrors.fromResponse(uri, 401, body, "GET x", MlflowConfig.Auth.TOKEN);
    assertTrue(token.getMessage().contains("fix MLFLOW_TRACKING_TOKEN"), token.getMessage());
    MlflowException none =
        MlflowErrors.fromResponse(uri, 401, body, "GET x", MlflowConfig.Auth.NONE);
    assertTrue(none.getMessage().contains("set MLFLOW_TRACKING_USERNAME"), none.getMessage());
    MlflowException denied =
        MlflowErrors.fromResponse(uri, 403, "Permission denied", "POST y", MlflowConfig.Auth.BASIC);
    assertTrue(denied instanceof PermissionDeniedException);
    assertFalse(denied.isRetryable());
    assertTrue(denied.getMessage().contains("MLFLOW_TRACKING_USERNAME"), denied.getMessage());
  }
}
